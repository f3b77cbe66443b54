//! CSV and TSV with a header row (RFC 4180 quoting; a field may span lines).
//! `source_line` is the line where the record starts: counted here, from
//! the bytes, because the parser's own count is off by one after a CRLF
//! line end and after blank lines.
//!
//! A header without the text column is a file error; an empty file (or one
//! of blank lines) has no records. A row whose field count differs from the
//! header's is a `malformed_csv` record: more fields usually mean an
//! unquoted delimiter inside the text, fewer a line break inside an unquoted
//! field or a cut row, and either way the text would be wrong. A quote that
//! opens a field and is never closed makes the rest of the file one field;
//! that last record is `malformed_csv` naming the line of the quote. The
//! parser holds a whole record in memory; a text field far over
//! `input.max_doc_bytes` is rejected as `too_large` before it is decoded,
//! so it is not copied a second time.

use std::io::Read;

use ::csv::{ByteRecord, ReaderBuilder};

use super::InputConfig;
use super::{
    InputFile, RawFields, Records, decode_text, make_record, open_stream, read_failed, skip_bom,
};
use crate::doc::{Provenance, Record, Reject, Step};
use crate::error::{Error, Result};

pub(super) fn records(file: &InputFile, cfg: &InputConfig, delimiter: u8) -> Result<Records> {
    let stream = skip_bom(open_stream(file)?, cfg, file)?;
    from_reader(stream, file, cfg, delimiter)
}

/// The records of a CSV/TSV stream (already decompressed).
pub(crate) fn from_reader(
    stream: Box<dyn Read + Send>,
    file: &InputFile,
    cfg: &InputConfig,
    delimiter: u8,
) -> Result<Records> {
    let mut rdr = ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(QuoteTracker::new(stream, delimiter));
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(match e.kind() {
                ::csv::ErrorKind::Io(io) => read_failed(file, Some(1), io),
                _ => Error::bad_file(&file.path, Some(1), format!("cannot read header: {e}")),
            });
        }
    };
    rdr.get_mut().starts.pop_front();
    if headers.is_empty() {
        // An empty file (or only blank lines): no header and no records.
        return Ok(Box::new(std::iter::empty()));
    }
    let col = |name: &str| headers.iter().position(|h| h == name.as_bytes());
    let f = &cfg.fields;
    let text_col = col(&f.text).ok_or_else(|| {
        Error::bad_file(
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
    let shape = Shape {
        n_fields: headers.len(),
        text_col,
        cols: [
            col(&f.id),
            col(&f.title),
            col(&f.url),
            col(&f.date),
            col(&f.source),
        ],
        delimiter,
    };
    let file = file.clone();
    let cfg = cfg.clone();
    // One record of look-ahead: whether the last record ran into an
    // unclosed quote is known only at the end of the stream.
    let mut prev = ByteRecord::new();
    let mut next = ByteRecord::new();
    let mut prev_line = 0;
    let mut have_prev = false;
    let mut pending_err: Option<Error> = None;
    let mut done = false;
    Ok(Box::new(std::iter::from_fn(move || {
        loop {
            if done {
                return pending_err.take().map(Err);
            }
            match rdr.read_byte_record(&mut next) {
                Ok(true) => {
                    let fallback = next.position().map_or(0, |p| p.line());
                    let line = rdr.get_mut().starts.pop_front().unwrap_or(fallback);
                    std::mem::swap(&mut prev, &mut next);
                    let before = std::mem::replace(&mut prev_line, line);
                    if have_prev {
                        // `next` now holds the record read before this one.
                        return Some(Ok(row(&next, before, None, &shape, &file, &cfg)));
                    }
                    have_prev = true;
                }
                Ok(false) => {
                    done = true;
                    if !have_prev {
                        return None;
                    }
                    have_prev = false;
                    let t = rdr.get_ref();
                    let unclosed = t.unclosed().then(|| Unclosed {
                        quote_line: t.quote_line,
                        lines: t.line - t.quote_line + u64::from(!t.at_line_start),
                    });
                    return Some(Ok(row(&prev, prev_line, unclosed, &shape, &file, &cfg)));
                }
                Err(e) => {
                    done = true;
                    let line = e.position().map(|p| p.line());
                    pending_err = Some(match e.kind() {
                        ::csv::ErrorKind::Io(io) => read_failed(&file, line, io),
                        _ => Error::bad_file(&file.path, line, e.to_string()),
                    });
                    if have_prev {
                        have_prev = false;
                        return Some(Ok(row(&prev, prev_line, None, &shape, &file, &cfg)));
                    }
                }
            }
        }
    })))
}

/// Where the header's columns are.
struct Shape {
    n_fields: usize,
    text_col: usize,
    cols: [Option<usize>; 5],
    delimiter: u8,
}

/// A quoted field that runs to the end of the stream.
struct Unclosed {
    quote_line: u64,
    lines: u64,
}

fn row(
    rec: &ByteRecord,
    line: u64,
    unclosed: Option<Unclosed>,
    shape: &Shape,
    file: &InputFile,
    cfg: &InputConfig,
) -> Record {
    let prov = Provenance {
        file: file.rel.clone(),
        line: Some(line),
    };
    let raw = || {
        let sep = char::from(shape.delimiter).to_string();
        rec.iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect::<Vec<_>>()
            .join(&sep)
    };
    let bad = |detail: String| {
        // The row as read, unless it is too large to keep.
        let raw = if rec.as_slice().len() > cfg.max_doc_bytes {
            String::new()
        } else {
            raw()
        };
        Record::Bad {
            prov: prov.clone(),
            id: None,
            raw,
            reject: Reject::new(Step::Read, "malformed_csv", detail),
        }
    };
    if let Some(u) = unclosed {
        let field = rec.iter().next_back().map_or(0, <[u8]>::len);
        return bad(format!(
            "a quote opened on line {} is never closed: the rest of the file ({} lines, {field} bytes) was read as one field",
            u.quote_line, u.lines,
        ));
    }
    if rec.len() != shape.n_fields {
        let why = if rec.len() > shape.n_fields {
            "an unquoted delimiter inside a field?"
        } else {
            "a line break inside an unquoted field, or a cut row?"
        };
        let s = if rec.len() == 1 { "" } else { "s" };
        return bad(format!(
            "row has {} field{s}, the header has {} ({why})",
            rec.len(),
            shape.n_fields
        ));
    }
    // A text field far over the limit is rejected before it is decoded
    // (which would copy it): the parser has already held it once.
    let text_len = rec.get(shape.text_col).map_or(0, <[u8]>::len);
    if text_len > super::jsonl::line_cap(cfg.max_doc_bytes) {
        let what = format!("field {:?} is {text_len} bytes", cfg.fields.text);
        return super::too_large(prov, &what, cfg.max_doc_bytes);
    }
    let mut invalid = 0;
    let mut get = |c: Option<usize>| {
        let bytes = rec.get(c?)?;
        let (s, n) = decode_text(bytes, cfg);
        invalid += n;
        Some(s)
    };
    let text = get(Some(shape.text_col)).map(Ok);
    let [id, title, url, date, source] = shape.cols.map(&mut get);
    let raw_fields = RawFields {
        id,
        text,
        title,
        url,
        date,
        source,
        html: None,
        invalid_utf8: invalid,
    };
    make_record(prov, raw_fields, &cfg.fields, cfg.max_doc_bytes, raw)
}

/// Follows the bytes the CSV parser reads, with the same rules (a record
/// starts at a byte that is not a line end; a quote opens a quoted field
/// only at the start of a field; `""` inside one is a quote), to give each
/// record the line it starts on, and to tell at the end whether a quoted
/// field was left open: the parser itself silently ends such a field at the
/// end of the input. It runs ahead of the parser by the parser's buffer, so
/// the queue of start lines stays short.
struct QuoteTracker<R> {
    inner: R,
    delimiter: u8,
    state: QState,
    /// The next byte that is not a line end starts a record.
    record_start: bool,
    /// Lines where records start, not yet taken by the parser.
    starts: std::collections::VecDeque<u64>,
    /// Current line (1-based) and the line where the last quoted field opened.
    line: u64,
    quote_line: u64,
    /// The last byte read ended a line (or nothing was read).
    at_line_start: bool,
    /// The last byte was a CR that ended a line: an LF after it is the same
    /// line end.
    after_cr: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QState {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: it closes the field unless another
    /// quote follows.
    QuoteInQuoted,
}

impl<R> QuoteTracker<R> {
    fn new(inner: R, delimiter: u8) -> Self {
        QuoteTracker {
            inner,
            delimiter,
            state: QState::FieldStart,
            record_start: true,
            starts: std::collections::VecDeque::new(),
            line: 1,
            quote_line: 0,
            at_line_start: true,
            after_cr: false,
        }
    }

    fn unclosed(&self) -> bool {
        self.state == QState::Quoted
    }

    fn track(&mut self, bytes: &[u8]) {
        let d = self.delimiter;
        for &b in bytes {
            let line_end = b == b'\n' || b == b'\r';
            // Lines end at LF, CRLF, and at a lone CR outside quotes (the
            // parser ends records there too); a CR inside a quoted field is
            // text, so line numbers match tools that count LF.
            let cr_ends_line = b == b'\r' && self.state != QState::Quoted;
            if cr_ends_line || (b == b'\n' && !self.after_cr) {
                self.line += 1;
            }
            self.after_cr = cr_ends_line;
            if self.record_start && !line_end {
                self.starts.push_back(self.line);
                self.record_start = false;
            }
            self.state = match (self.state, b) {
                (QState::Quoted, b'"') => QState::QuoteInQuoted,
                (QState::Quoted, _) => QState::Quoted,
                (QState::QuoteInQuoted, b'"') => QState::Quoted,
                (QState::FieldStart, b'"') => {
                    self.quote_line = self.line;
                    QState::Quoted
                }
                (_, b'\n' | b'\r') => {
                    self.record_start = true;
                    QState::FieldStart
                }
                (_, b) if b == d => QState::FieldStart,
                _ => QState::Unquoted,
            };
        }
        if let Some(&b) = bytes.last() {
            self.at_line_start = b == b'\n' || self.after_cr;
        }
    }
}

impl<R: Read> Read for QuoteTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.track(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_after(bytes: &[u8]) -> bool {
        let mut t = QuoteTracker::new(std::io::empty(), b',');
        t.track(bytes);
        t.unclosed()
    }

    #[test]
    fn counts_record_start_lines() {
        let mut t = QuoteTracker::new(std::io::empty(), b',');
        t.track(b"h,t\r\n\r\na,\"x\ny\"\r\nb,z\n\n\rc,w");
        assert_eq!(Vec::from(t.starts), [1, 3, 5, 8]);
        // Found by fuzzing: records ended by a lone CR (old Mac files) had
        // the same line, hence the same derived id.
        let mut t = QuoteTracker::new(std::io::empty(), b',');
        t.track(b"h,t\r1,\"a\rb\"\r2,c\r");
        assert_eq!(Vec::from(t.starts), [1, 2, 3]);
    }

    #[test]
    fn tracks_quotes_like_the_parser() {
        assert!(!state_after(b"a,b\n1,\"x,y\"\n"));
        assert!(!state_after(b"a,b\n1,\"x \"\"q\"\" y\"\n"));
        assert!(
            !state_after(b"a,b\n1,ab\"c\n"),
            "a quote inside a field is text"
        );
        assert!(!state_after(b"a,b\n1,\"x\"y,z\n"));
        assert!(state_after(b"a,b\n1,\"x\n2,y\n"));
        assert!(state_after(b"a,b\n1,\"x\"\"\n"));
        assert!(
            !state_after(b"a,b\n1,\"x\"\n"),
            "closing quote as last byte"
        );
    }
}
