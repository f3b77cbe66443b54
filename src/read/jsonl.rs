//! JSON Lines: one object per line. Blank lines are skipped (they hold no
//! record); a line that is not a JSON object is a `malformed_json` record.

use std::io::{BufRead, BufReader};

use serde_json::{Map, Value};

use super::{InputFile, RawFields, Records, decode_text, make_record, open_stream, too_large};
use crate::config::InputConfig;
use crate::doc::{Provenance, Record, Reject, Stage};
use crate::error::{Error, Result};

pub(super) fn records(file: &InputFile, cfg: &InputConfig) -> Result<Records> {
    let stream = open_stream(file)?;
    let mut reader = BufReader::with_capacity(1 << 16, stream);
    let file = file.clone();
    let cfg = cfg.clone();
    let mut line_no = 0u64;
    let mut buf = Vec::with_capacity(1 << 14);
    let mut done = false;
    Ok(Box::new(std::iter::from_fn(move || {
        loop {
            if done {
                return None;
            }
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => {
                    done = true;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    done = true;
                    return Some(Err(Error::input(
                        &file.path,
                        Some(line_no + 1),
                        format!("read failed: {e}"),
                    )));
                }
            }
            line_no += 1;
            if buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(Ok(parse_line(&buf, &file, line_no, &cfg)));
        }
    })))
}

fn parse_line(bytes: &[u8], file: &InputFile, line: u64, cfg: &InputConfig) -> Record {
    let prov = Provenance {
        file: file.rel.clone(),
        line: Some(line),
    };
    // A line far over the text limit is rejected unparsed: it was read once,
    // and is not copied again.
    if bytes.len() > cfg.max_doc_bytes.saturating_add(1 << 16) {
        let what = format!("line is {} bytes", bytes.len());
        return too_large(prov, &what, cfg.max_doc_bytes);
    }
    // Fast path for valid UTF-8 (the same fields; see `fields`).
    if let Some((trimmed, raw)) = super::fields::parse(bytes, cfg) {
        return make_record(prov, raw, &cfg.fields, cfg.max_doc_bytes, || {
            trimmed.to_string()
        });
    }
    let (text, invalid) = decode_text(bytes, cfg);
    let trimmed = text.trim_end_matches(['\n', '\r']);
    let obj: Map<String, Value> = match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Object(m)) => m,
        Ok(other) => {
            let kind = match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            };
            return Record::Bad {
                prov,
                id: None,
                raw: trimmed.to_string(),
                reject: Reject::new(
                    Stage::Read,
                    "malformed_json",
                    format!("expected a JSON object, found {kind}"),
                ),
            };
        }
        Err(e) => {
            return Record::Bad {
                prov,
                id: None,
                raw: trimmed.to_string(),
                reject: Reject::new(Stage::Read, "malformed_json", e.to_string()),
            };
        }
    };
    let f = &cfg.fields;
    let text_field = match obj.get(&f.text) {
        None => None,
        Some(Value::String(s)) => Some(Ok(s.clone())),
        Some(Value::Null) => Some(Err(format!("field {:?} is null", f.text))),
        Some(v) => Some(Err(format!(
            "field {:?} is not a string: {}",
            f.text,
            short(&v.to_string())
        ))),
    };
    let raw = RawFields {
        id: scalar(obj.get(&f.id)),
        text: text_field,
        title: scalar(obj.get(&f.title)),
        url: scalar(obj.get(&f.url)),
        date: scalar(obj.get(&f.date)),
        source: scalar(obj.get(&f.source)),
        invalid_utf8: invalid,
    };
    make_record(prov, raw, f, cfg.max_doc_bytes, || trimmed.to_string())
}

/// A scalar JSON value as a string (strings as they are, numbers and
/// booleans printed); null, arrays and objects are absent.
pub(super) fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn short(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
