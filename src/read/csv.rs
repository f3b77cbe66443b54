//! CSV and TSV with a header row. Rows may have fewer fields than the
//! header (the missing ones are absent); a header without the text column is
//! a file error. `source_line` is the line where the record starts.

use ::csv::{ByteRecord, ReaderBuilder};

use super::{InputFile, RawFields, Records, decode_text, make_record, open_stream};
use crate::config::InputConfig;
use crate::doc::{Provenance, Record, Reject, Stage};
use crate::error::{Error, Result};

pub(super) fn records(file: &InputFile, cfg: &InputConfig, delimiter: u8) -> Result<Records> {
    let stream = open_stream(file)?;
    let mut rdr = ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(stream);
    let headers = rdr
        .byte_headers()
        .map_err(|e| Error::input(&file.path, Some(1), format!("cannot read header: {e}")))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name.as_bytes());
    let f = &cfg.fields;
    let text_col = col(&f.text).ok_or_else(|| {
        Error::input(
            &file.path,
            Some(1),
            format!(
                "header has no text column {:?} (columns: {}); set input.fields.text",
                f.text,
                headers
                    .iter()
                    .map(|h| String::from_utf8_lossy(h).into_owned())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let cols = [
        col(&f.id),
        col(&f.title),
        col(&f.url),
        col(&f.date),
        col(&f.source),
    ];
    let file = file.clone();
    let cfg = cfg.clone();
    let mut rec = ByteRecord::new();
    let mut done = false;
    Ok(Box::new(std::iter::from_fn(move || {
        if done {
            return None;
        }
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => {
                done = true;
                None
            }
            Ok(true) => {
                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                Some(Ok(row(&rec, line, text_col, cols, &file, &cfg)))
            }
            Err(e) => {
                let line = e.position().map(|p| p.line());
                if let ::csv::ErrorKind::Io(_) = e.kind() {
                    done = true;
                    return Some(Err(Error::input(
                        &file.path,
                        line,
                        format!("read failed: {e}"),
                    )));
                }
                Some(Ok(Record::Bad {
                    prov: Provenance {
                        file: file.rel.clone(),
                        line,
                    },
                    id: None,
                    raw: String::new(),
                    reject: Reject::new(Stage::Read, "malformed_csv", e.to_string()),
                }))
            }
        }
    })))
}

fn row(
    rec: &ByteRecord,
    line: u64,
    text_col: usize,
    cols: [Option<usize>; 5],
    file: &InputFile,
    cfg: &InputConfig,
) -> Record {
    let mut invalid = 0;
    let mut get = |c: Option<usize>| {
        let bytes = rec.get(c?)?;
        let (s, n) = decode_text(bytes, cfg);
        invalid += n;
        Some(s)
    };
    let text = get(Some(text_col)).map(Ok);
    let [id, title, url, date, source] = cols.map(&mut get);
    let raw = RawFields {
        id,
        text,
        title,
        url,
        date,
        source,
        html: None,
        invalid_utf8: invalid,
    };
    let prov = Provenance {
        file: file.rel.clone(),
        line: Some(line),
    };
    make_record(prov, raw, &cfg.fields, cfg.max_doc_bytes, || {
        rec.iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect::<Vec<_>>()
            .join(",")
    })
}
