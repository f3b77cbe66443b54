//! JSON Lines: one object per line. Blank lines are skipped (they hold no
//! record); a line that is not a JSON object is a `malformed_json` record
//! with the parser's message (which gives the column). A UTF-8 byte order
//! mark before the first line is dropped. A line longer than
//! `input.max_doc_bytes` plus a quarter of it (at most 64 KiB, room for the
//! other fields) is rejected as `too_large` while it is read: at most that
//! many bytes of it are ever held in memory, the rest is skipped up to the
//! next newline.

use std::io::{BufRead, BufReader, Read};

use serde_json::{Map, Value};

use super::InputConfig;
use super::{
    InputFile, RawFields, Records, decode_text, make_record, open_stream, read_failed, skip_bom,
    too_large,
};
use crate::doc::{Provenance, Record, Reject, Step};

pub(super) fn records(file: &InputFile, cfg: &InputConfig) -> crate::error::Result<Records> {
    let stream = skip_bom(open_stream(file)?, cfg, file)?;
    Ok(from_reader(stream, file, cfg))
}

/// The records of a JSON Lines stream (already decompressed).
pub(crate) fn from_reader(
    stream: Box<dyn Read + Send>,
    file: &InputFile,
    cfg: &InputConfig,
) -> Records {
    let mut reader = BufReader::with_capacity(1 << 16, stream);
    let file = file.clone();
    let cfg = cfg.clone();
    // Longest line kept in memory; a longer one is too large whatever it holds.
    let cap = line_cap(cfg.max_doc_bytes) as u64;
    let mut line_no = 0u64;
    let mut buf = Vec::with_capacity(1 << 14);
    let mut done = false;
    Box::new(std::iter::from_fn(move || {
        loop {
            if done {
                return None;
            }
            buf.clear();
            let read = (&mut reader)
                .take(cap.saturating_add(1))
                .read_until(b'\n', &mut buf)
                .and_then(|n| {
                    if n as u64 > cap && buf.last() != Some(&b'\n') {
                        // Over the limit: measure the rest of the line, keep none of it.
                        skip_line(&mut reader).map(|rest| (n as u64, Some(rest)))
                    } else {
                        Ok((n as u64, None))
                    }
                });
            let (n, oversized) = match read {
                Ok((0, _)) => {
                    done = true;
                    return None;
                }
                Ok(r) => r,
                Err(e) => {
                    done = true;
                    return Some(Err(read_failed(&file, Some(line_no + 1), &e)));
                }
            };
            line_no += 1;
            let prov = Provenance {
                file: file.rel.clone(),
                line: Some(line_no),
            };
            if let Some((rest, newline, blank)) = oversized {
                if blank && buf.iter().all(|b| b.is_ascii_whitespace()) {
                    // A (very long) blank line holds no record.
                    continue;
                }
                let end = if newline {
                    ""
                } else {
                    " (the file ends inside it)"
                };
                let what = format!("line is {} bytes{end}", n + rest);
                return Some(Ok(too_large(prov, &what, cfg.max_doc_bytes)));
            }
            if buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(Ok(parse_line(&buf, prov, &cfg)));
        }
    }))
}

/// The longest line read into memory for a text limit of `max_doc_bytes`.
pub(crate) fn line_cap(max_doc_bytes: usize) -> usize {
    max_doc_bytes.saturating_add((max_doc_bytes / 4).min(1 << 16))
}

/// Skip to the next newline (consumed) or the end of the stream. Returns the
/// bytes skipped before the newline, whether there was one, and whether they
/// were all whitespace.
fn skip_line(r: &mut impl BufRead) -> std::io::Result<(u64, bool, bool)> {
    let mut n = 0u64;
    let mut blank = true;
    loop {
        let avail = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok((n, false, blank));
        }
        let end = avail.iter().position(|&b| b == b'\n');
        let part = &avail[..end.unwrap_or(avail.len())];
        blank = blank && part.iter().all(|b| b.is_ascii_whitespace());
        match end {
            Some(i) => {
                r.consume(i + 1);
                return Ok((n + i as u64, true, blank));
            }
            None => {
                let k = avail.len();
                r.consume(k);
                n += k as u64;
            }
        }
    }
}

fn parse_line(bytes: &[u8], prov: Provenance, cfg: &InputConfig) -> Record {
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
                    Step::Read,
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
                reject: Reject::new(Step::Read, "malformed_json", e.to_string()),
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
        html: scalar(obj.get(&f.html)).filter(|_| !f.html.is_empty()),
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

#[cfg(test)]
mod tests {
    use crate::doc::Record;
    use crate::read::InputConfig;

    /// Found by fuzzing: a blank line longer than the line limit was a
    /// `too_large` record; a blank line holds no record, however long.
    #[test]
    fn a_long_blank_line_is_no_record() {
        let cfg = InputConfig {
            max_doc_bytes: 48,
            ..InputConfig::default()
        };
        let data = format!(
            "{}\n{}\n{{\"text\":\"ok\"}}\n",
            " \x0c".repeat(100),
            "x".repeat(100)
        );
        let (records, err) = crate::fuzzing::read("a.jsonl", data.as_bytes(), &cfg);
        assert!(err.is_none());
        let lines: Vec<_> = records
            .iter()
            .map(|r| match r {
                Record::Doc(d) => (d.prov.line, "doc".to_string()),
                Record::Bad { prov, reject, .. } => (prov.line, reject.reason.clone()),
            })
            .collect();
        assert_eq!(
            lines,
            [(Some(2), "too_large".into()), (Some(3), "doc".into())]
        );
    }
}
