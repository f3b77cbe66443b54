//! The spill: the work file in which stage `process` hands every processed
//! document (kept or rejected, a [`Spilled`]) to stage `write`, one file per
//! input file (`process/file-N.spill.zst`).
//!
//! Format (version [`FORMAT`]): one zstd frame (level 1, with its content
//! checksum) holding
//! - the magic line `corpusforge spill 2\n` ([`MAGIC`]);
//! - per record, the byte `1`, the payload length as u64 little-endian, and
//!   the payload: the fields of [`Document`] and then the [`Reject`], in
//!   declaration order;
//! - the byte `0` and the record count as u64 little-endian;
//!
//! and nothing after. In a payload a string is its byte length as an
//! unsigned LEB128 varint plus its UTF-8 bytes; an `Option` a tag byte (`0`
//! none, `1` some) plus the value; a bool one byte `0` or `1`; a `Vec` its
//! item count (varint) plus the items; integers and floats are
//! little-endian of their own width (floats by their bits); a
//! [`Step`] one byte (`read` 0, `clean` 1, `langid` 2, `filter` 3,
//! `dedup` 4). Every field is written, whatever its serde attributes say.
//!
//! Guarantees: a record reads back equal to what was written, bit for bit
//! (floats included, NaN too). A reader never panics, and a wrong read
//! never passes silently: a file that is not a spill of this format (a JSON
//! spill of an older corpusforge included), truncated anywhere, with bytes
//! changed, with fewer or more records than expected, or with anything
//! after its end gives an [`Error::Output`] naming the file. Changed bytes
//! are caught by the zstd decoder or, at the latest, by the frame's 32-bit
//! content checksum, which is checked at the end of the frame that
//! [`SpillReader::finish`] reads up to: records read before `finish` may
//! be wrong, so a caller must not publish its output until `finish`
//! succeeded (stage `write` calls it before it marks its task done). A
//! length read from a damaged file allocates at most 64 MiB beyond what
//! the file holds. Encoding and decoding destructure [`Document`] whole,
//! so a new field does not compile until it is spilled (and then
//! [`FORMAT`] must change).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::doc::{Document, Provenance, Reject, Step};
use crate::error::{Error, Result};
use crate::steps::Spilled;

/// The format version; part of every stage key (see [`crate::stages`]), so
/// a work directory of another format is redone, not misread.
pub const FORMAT: u32 = 2;

/// The first bytes of the decompressed spill.
pub const MAGIC: &[u8; 20] = b"corpusforge spill 2\n";

const TAG_RECORD: u8 = 1;
const TAG_END: u8 = 0;

/// Writes a spill file, record by record.
pub struct SpillWriter {
    path: PathBuf,
    enc: zstd::stream::write::Encoder<'static, BufWriter<File>>,
    buf: Vec<u8>,
    count: u64,
}

impl SpillWriter {
    pub fn create(path: &Path) -> Result<Self> {
        let io = |e| Error::io(path, e);
        let out = File::create(path).map_err(io)?;
        let mut enc = zstd::stream::write::Encoder::new(BufWriter::new(out), 1).map_err(io)?;
        enc.include_checksum(true).map_err(io)?;
        enc.write_all(MAGIC).map_err(io)?;
        Ok(SpillWriter {
            path: path.to_path_buf(),
            enc,
            buf: Vec::with_capacity(1 << 16),
            count: 0,
        })
    }

    pub fn push(&mut self, sp: &Spilled) -> Result<()> {
        self.buf.clear();
        self.buf.push(TAG_RECORD);
        self.buf.extend_from_slice(&[0; 8]);
        encode(&mut self.buf, sp);
        let len = (self.buf.len() - 9) as u64;
        self.buf[1..9].copy_from_slice(&len.to_le_bytes());
        self.enc
            .write_all(&self.buf)
            .map_err(|e| Error::io(&self.path, e))?;
        self.count += 1;
        Ok(())
    }

    /// Write the end marker and finish the frame.
    pub fn finish(mut self) -> Result<()> {
        let path = self.path;
        let io = |e| Error::io(&path, e);
        self.enc.write_all(&[TAG_END]).map_err(io)?;
        self.enc.write_all(&self.count.to_le_bytes()).map_err(io)?;
        self.enc.finish().and_then(|mut w| w.flush()).map_err(io)
    }
}

/// Reads a spill file written by [`SpillWriter`].
pub struct SpillReader {
    path: PathBuf,
    r: BufReader<zstd::stream::read::Decoder<'static, BufReader<File>>>,
    buf: Vec<u8>,
    count: u64,
}

impl SpillReader {
    /// Open `path` and check its magic.
    pub fn open(path: &Path) -> Result<Self> {
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        let dec = zstd::stream::read::Decoder::new(f).map_err(|e| Error::io(path, e))?;
        let mut r = SpillReader {
            path: path.to_path_buf(),
            r: BufReader::with_capacity(1 << 16, dec),
            buf: Vec::new(),
            count: 0,
        };
        let mut magic = [0u8; MAGIC.len()];
        r.read_exact(&mut magic, "the header")?;
        if magic != *MAGIC {
            return Err(r.corrupt(format!(
                "not a spill file of format {FORMAT} (from another corpusforge version? \
                 build without --resume to redo the work directory)"
            )));
        }
        Ok(r)
    }

    fn corrupt(&self, what: impl std::fmt::Display) -> Error {
        Error::output(&self.path, format!("work file unreadable: {what}"))
    }

    /// Fill `buf` from the file; an early end or a zstd error (a damaged
    /// frame) is an error naming the file.
    fn read_exact(&mut self, buf: &mut [u8], what: &str) -> Result<()> {
        match self.r.read_exact(buf) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(self.corrupt(format!("truncated in {what}")))
            }
            Err(e) => Err(self.corrupt(format!("{what}: {e}"))),
        }
    }

    fn frame(&mut self) -> Result<(u8, u64)> {
        let mut head = [0u8; 9];
        let what = format!("record {}", self.count + 1);
        self.read_exact(&mut head, &what)?;
        let len = u64::from_le_bytes(head[1..].try_into().expect("8 bytes"));
        Ok((head[0], len))
    }

    /// The next record. Meeting the end marker is an error: the caller
    /// knows how many records the file holds.
    pub fn read_record(&mut self) -> Result<Spilled> {
        let (tag, len) = self.frame()?;
        match tag {
            TAG_RECORD => {}
            TAG_END => {
                return Err(
                    self.corrupt(format!("ended after {} records, more expected", self.count))
                );
            }
            t => {
                return Err(self.corrupt(format!("record {}: bad tag {t}", self.count + 1)));
            }
        }
        self.count += 1;
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        // Grows with what is actually read, so a damaged length cannot make
        // it allocate more than the file holds.
        buf.reserve(len.min(1 << 26) as usize);
        let got = (&mut self.r).take(len).read_to_end(&mut buf);
        let result = match got {
            Ok(n) if n as u64 == len => {
                decode(&buf).map_err(|e| self.corrupt(format!("record {}: {e}", self.count)))
            }
            Ok(_) => Err(self.corrupt(format!("truncated in record {}", self.count))),
            Err(e) => Err(self.corrupt(format!("record {}: {e}", self.count))),
        };
        self.buf = buf;
        result
    }

    /// Check that the file ends here: the end marker with the count of
    /// records read, then the end of the zstd frame (whose checksum the
    /// decoder verifies) and nothing after it.
    pub fn finish(mut self) -> Result<()> {
        let (tag, n) = self.frame()?;
        if tag != TAG_END {
            return Err(self.corrupt(format!(
                "holds more than the {} records expected",
                self.count
            )));
        }
        if n != self.count {
            return Err(self.corrupt(format!(
                "end marker counts {n} records, {} were read",
                self.count
            )));
        }
        match self.r.fill_buf() {
            Ok([]) => Ok(()),
            Ok(_) => Err(self.corrupt("data after the end marker")),
            Err(e) => Err(self.corrupt(format!("at the end: {e}"))),
        }
    }
}

fn put_len(buf: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        buf.push((n as u8) | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

fn put_str(buf: &mut Vec<u8>, s: &str) {
    put_len(buf, s.len() as u64);
    buf.extend_from_slice(s.as_bytes());
}

fn put_opt_str(buf: &mut Vec<u8>, s: &Option<String>) {
    match s {
        Some(s) => {
            buf.push(1);
            put_str(buf, s);
        }
        None => buf.push(0),
    }
}

fn stage_byte(s: Step) -> u8 {
    match s {
        Step::Read => 0,
        Step::Clean => 1,
        Step::Langid => 2,
        Step::Filter => 3,
        Step::Dedup => 4,
    }
}

/// Append the payload of one record to `buf`.
fn encode(buf: &mut Vec<u8>, sp: &Spilled) {
    let Spilled { doc, reject } = sp;
    let Document {
        id,
        text,
        title,
        url,
        date,
        source,
        prov: Provenance { file, line },
        lang,
        lang_score,
        lang_mixed,
        lang2,
        lang2_score,
        script,
        n_chars,
        n_words,
        invalid_utf8,
        html,
        mojibake_fixed,
        removed_lines,
    } = doc;
    buf.reserve(64 + id.len() + text.len() + file.len());
    put_str(buf, id);
    put_str(buf, text);
    put_opt_str(buf, title);
    put_opt_str(buf, url);
    put_opt_str(buf, date);
    put_opt_str(buf, source);
    put_str(buf, file);
    match line {
        Some(l) => {
            buf.push(1);
            buf.extend_from_slice(&l.to_le_bytes());
        }
        None => buf.push(0),
    }
    put_str(buf, lang);
    buf.extend_from_slice(&lang_score.to_bits().to_le_bytes());
    buf.push(*lang_mixed as u8);
    put_opt_str(buf, lang2);
    match lang2_score {
        Some(s) => {
            buf.push(1);
            buf.extend_from_slice(&s.to_bits().to_le_bytes());
        }
        None => buf.push(0),
    }
    put_str(buf, script);
    buf.extend_from_slice(&n_chars.to_le_bytes());
    buf.extend_from_slice(&n_words.to_le_bytes());
    buf.extend_from_slice(&invalid_utf8.to_le_bytes());
    buf.push(*html as u8);
    buf.extend_from_slice(&mojibake_fixed.to_le_bytes());
    put_len(buf, removed_lines.len() as u64);
    for l in removed_lines {
        put_str(buf, l);
    }
    match reject {
        Some(Reject {
            stage,
            reason,
            detail,
        }) => {
            buf.push(1);
            buf.push(stage_byte(*stage));
            put_str(buf, reason);
            put_str(buf, detail);
        }
        None => buf.push(0),
    }
}

/// A payload being decoded; every read checks what is left.
struct Cursor<'a>(&'a [u8]);

type Dec<T> = std::result::Result<T, String>;

impl<'a> Cursor<'a> {
    fn take(&mut self, n: u64, what: &str) -> Dec<&'a [u8]> {
        if n > self.0.len() as u64 {
            return Err(format!("{what}: length {n} beyond the record's end"));
        }
        let (a, b) = self.0.split_at(n as usize);
        self.0 = b;
        Ok(a)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Dec<[u8; N]> {
        Ok(self.take(N as u64, what)?.try_into().expect("N bytes"))
    }

    fn u8(&mut self, what: &str) -> Dec<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    fn u32(&mut self, what: &str) -> Dec<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Dec<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn f32(&mut self, what: &str) -> Dec<f32> {
        Ok(f32::from_bits(self.u32(what)?))
    }

    fn bool(&mut self, what: &str) -> Dec<bool> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(format!("{what}: bad bool {b}")),
        }
    }

    /// The tag of an `Option`.
    fn some(&mut self, what: &str) -> Dec<bool> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(format!("{what}: bad option tag {b}")),
        }
    }

    fn len(&mut self, what: &str) -> Dec<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8(what)?;
            let v = u64::from(b & 0x7f);
            if shift == 63 && v > 1 {
                break;
            }
            n |= v << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(format!("{what}: bad length"))
    }

    fn str(&mut self, what: &str) -> Dec<String> {
        let n = self.len(what)?;
        let b = self.take(n, what)?;
        simdutf8::basic::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| format!("{what}: invalid UTF-8"))
    }

    fn opt_str(&mut self, what: &str) -> Dec<Option<String>> {
        Ok(if self.some(what)? {
            Some(self.str(what)?)
        } else {
            None
        })
    }
}

/// Decode one payload, which must be consumed whole.
fn decode(b: &[u8]) -> Dec<Spilled> {
    let mut c = Cursor(b);
    let id = c.str("id")?;
    let text = c.str("text")?;
    let title = c.opt_str("title")?;
    let url = c.opt_str("url")?;
    let date = c.opt_str("date")?;
    let source = c.opt_str("source")?;
    let file = c.str("prov.file")?;
    let line = if c.some("prov.line")? {
        Some(c.u64("prov.line")?)
    } else {
        None
    };
    let lang = c.str("lang")?;
    let lang_score = c.f32("lang_score")?;
    let lang_mixed = c.bool("lang_mixed")?;
    let lang2 = c.opt_str("lang2")?;
    let lang2_score = if c.some("lang2_score")? {
        Some(c.f32("lang2_score")?)
    } else {
        None
    };
    let script = c.str("script")?;
    let n_chars = c.u64("n_chars")?;
    let n_words = c.u64("n_words")?;
    let invalid_utf8 = c.u32("invalid_utf8")?;
    let html = c.bool("html")?;
    let mojibake_fixed = c.u32("mojibake_fixed")?;
    let n = c.len("removed_lines")?;
    // Each line takes at least one byte: a damaged count fails below
    // instead of reserving memory for it.
    let mut removed_lines = Vec::with_capacity(n.min(c.0.len() as u64) as usize);
    for _ in 0..n {
        removed_lines.push(c.str("removed_lines")?);
    }
    let reject = if c.some("reject")? {
        let stage = match c.u8("reject.stage")? {
            0 => Step::Read,
            1 => Step::Clean,
            2 => Step::Langid,
            3 => Step::Filter,
            4 => Step::Dedup,
            b => return Err(format!("reject.stage: bad stage {b}")),
        };
        Some(Reject {
            stage,
            reason: c.str("reject.reason")?,
            detail: c.str("reject.detail")?,
        })
    } else {
        None
    };
    if !c.0.is_empty() {
        return Err(format!("{} bytes after the last field", c.0.len()));
    }
    Ok(Spilled {
        doc: Document {
            id,
            text,
            title,
            url,
            date,
            source,
            prov: Provenance { file, line },
            lang,
            lang_score,
            lang_mixed,
            lang2,
            lang2_score,
            script,
            n_chars,
            n_words,
            invalid_utf8,
            html,
            mojibake_fixed,
            removed_lines,
        },
        reject,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: deterministic documents without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn string(&mut self) -> String {
            const PIECES: &[&str] = &[
                "",
                "a",
                "Z",
                " ",
                "\n",
                "\t",
                "\"",
                "\\",
                "\0",
                "\u{7f}",
                "é",
                "ß",
                "Café",
                "日本語",
                "🦀",
                "\u{200d}",
                "\u{fffd}",
                "\u{feff}",
                "ا",
                "<p>",
                "}",
                "{\"x\":1}",
            ];
            let n = match self.below(10) {
                0 => 0,
                9 => 200 + self.below(3000),
                _ => self.below(20),
            };
            (0..n)
                .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
                .collect()
        }

        fn opt_string(&mut self) -> Option<String> {
            (self.below(3) > 0).then(|| self.string())
        }

        fn f32(&mut self) -> f32 {
            match self.below(8) {
                0 => 0.0,
                1 => -0.0,
                2 => f32::MIN_POSITIVE / 3.0,
                3 => f32::NAN,
                4 => f32::INFINITY,
                _ => f32::from_bits(self.next() as u32),
            }
        }

        fn u64(&mut self) -> u64 {
            match self.below(4) {
                0 => 0,
                1 => u64::MAX,
                2 => self.below(1000),
                _ => self.next(),
            }
        }
    }

    fn random_spilled(r: &mut Rng) -> Spilled {
        let stages = [
            Step::Read,
            Step::Clean,
            Step::Langid,
            Step::Filter,
            Step::Dedup,
        ];
        let n_removed = if r.below(2) == 0 { 0 } else { r.below(6) };
        Spilled {
            doc: Document {
                id: r.string(),
                text: r.string(),
                title: r.opt_string(),
                url: r.opt_string(),
                date: r.opt_string(),
                source: r.opt_string(),
                prov: Provenance {
                    file: r.string(),
                    line: (r.below(2) == 0).then(|| r.u64()),
                },
                lang: r.string(),
                lang_score: r.f32(),
                lang_mixed: r.below(2) == 0,
                lang2: r.opt_string(),
                lang2_score: (r.below(2) == 0).then(|| r.f32()),
                script: r.string(),
                n_chars: r.u64(),
                n_words: r.u64(),
                invalid_utf8: r.next() as u32,
                html: r.below(2) == 0,
                mojibake_fixed: r.next() as u32,
                removed_lines: (0..n_removed).map(|_| r.string()).collect(),
            },
            reject: (r.below(2) == 0).then(|| Reject {
                stage: stages[r.below(5) as usize],
                reason: r.string(),
                detail: r.string(),
            }),
        }
    }

    /// Equality to the bit (Debug does not tell NaNs apart).
    fn same(a: &Spilled, b: &Spilled) -> bool {
        let bits = |s: &Spilled| {
            (
                s.doc.lang_score.to_bits(),
                s.doc.lang2_score.map(f32::to_bits),
            )
        };
        format!("{:?} {:?}", a.doc, a.reject) == format!("{:?} {:?}", b.doc, b.reject)
            && bits(a) == bits(b)
    }

    fn write(path: &Path, docs: &[Spilled]) {
        let mut w = SpillWriter::create(path).unwrap();
        for d in docs {
            w.push(d).unwrap();
        }
        w.finish().unwrap();
    }

    /// Read `n` records and the end; the first error if any.
    fn read(path: &Path, n: usize) -> Result<Vec<Spilled>> {
        let mut r = SpillReader::open(path)?;
        let docs = (0..n)
            .map(|_| r.read_record())
            .collect::<Result<Vec<_>>>()?;
        r.finish()?;
        Ok(docs)
    }

    fn zstd_file(path: &Path, raw: &[u8]) {
        std::fs::write(path, zstd::encode_all(raw, 1).unwrap()).unwrap();
    }

    #[test]
    fn round_trip_random_documents() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..20 {
            let n = if round == 0 { 0 } else { r.below(200) as usize };
            let docs: Vec<Spilled> = (0..n).map(|_| random_spilled(&mut r)).collect();
            let path = dir.path().join(format!("f{round}.spill.zst"));
            write(&path, &docs);
            let back = read(&path, n).unwrap();
            assert_eq!(back.len(), n);
            for (a, b) in docs.iter().zip(&back) {
                assert!(same(a, b), "{:?}\n!=\n{:?}", a.doc, b.doc);
            }
        }
    }

    #[test]
    fn default_and_extreme_documents() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.spill.zst");
        let big = Spilled {
            doc: Document {
                text: "x".repeat(1 << 20),
                removed_lines: vec![String::new(); 1000],
                lang_score: -0.0,
                lang2_score: Some(f32::NAN),
                ..Default::default()
            },
            reject: None,
        };
        let docs = vec![
            Spilled {
                doc: Document::default(),
                reject: None,
            },
            big,
        ];
        write(&path, &docs);
        let back = read(&path, 2).unwrap();
        assert!(same(&docs[0], &back[0]) && same(&docs[1], &back[1]));
    }

    fn sample(dir: &Path) -> (PathBuf, Vec<Spilled>) {
        let mut r = Rng(42);
        let docs: Vec<Spilled> = (0..50).map(|_| random_spilled(&mut r)).collect();
        let path = dir.join("s.spill.zst");
        write(&path, &docs);
        (path, docs)
    }

    fn message(e: Error, path: &Path) -> String {
        let m = e.to_string();
        assert!(m.contains(&path.display().to_string()), "{m}");
        m
    }

    #[test]
    fn truncated_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = sample(dir.path());
        let bytes = std::fs::read(&path).unwrap();
        let cut = dir.path().join("cut.spill.zst");
        // Every cut in the first and last 64 bytes (header, end marker,
        // frame checksum) and some 200 in between.
        let n = bytes.len();
        let cuts = (0..64)
            .chain((64..n - 64).step_by(n / 200))
            .chain(n - 64..n);
        for len in cuts {
            std::fs::write(&cut, &bytes[..len]).unwrap();
            let e = read(&cut, 50).expect_err("a truncated spill reads");
            message(e, &cut);
        }
    }

    #[test]
    fn changed_bytes_are_an_error_or_read_right() {
        let dir = tempfile::tempdir().unwrap();
        let (path, docs) = sample(dir.path());
        let bytes = std::fs::read(&path).unwrap();
        let bad = dir.path().join("bad.spill.zst");
        let mut r = Rng(7);
        for _ in 0..300 {
            let mut b = bytes.clone();
            let i = r.below(b.len() as u64) as usize;
            b[i] ^= 1 << r.below(8);
            std::fs::write(&bad, &b).unwrap();
            match read(&bad, 50) {
                Err(e) => {
                    message(e, &bad);
                }
                Ok(back) => assert!(docs.iter().zip(&back).all(|(a, b)| same(a, b))),
            }
        }
    }

    #[test]
    fn wrong_record_count_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (path, _) = sample(dir.path());
        let m = message(read(&path, 51).unwrap_err(), &path);
        assert!(m.contains("ended after 50 records"), "{m}");
        let m = message(read(&path, 49).unwrap_err(), &path);
        assert!(m.contains("more than the 49 records"), "{m}");
    }

    #[test]
    fn old_json_spill_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.spill.zst");
        let sp = random_spilled(&mut Rng(3));
        let mut json = serde_json::to_vec(&sp).unwrap();
        json.push(b'\n');
        zstd_file(&path, &json);
        let m = message(read(&path, 1).unwrap_err(), &path);
        assert!(m.contains("not a spill file of format 2"), "{m}");
        std::fs::write(&path, b"").unwrap();
        message(read(&path, 0).unwrap_err(), &path);
        std::fs::write(&path, b"not zstd at all").unwrap();
        message(read(&path, 0).unwrap_err(), &path);
    }

    #[test]
    fn damaged_payloads_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.spill.zst");
        let sp = random_spilled(&mut Rng(5));
        let mut payload = Vec::new();
        encode(&mut payload, &sp);
        let file = |payload: &[u8], len: u64, trailer: &[u8]| {
            let mut raw = MAGIC.to_vec();
            raw.push(TAG_RECORD);
            raw.extend_from_slice(&len.to_le_bytes());
            raw.extend_from_slice(payload);
            raw.extend_from_slice(trailer);
            raw
        };
        let end = [&[TAG_END][..], &1u64.to_le_bytes()].concat();
        // The frame as written reads back.
        zstd_file(&path, &file(&payload, payload.len() as u64, &end));
        assert!(same(&read(&path, 1).unwrap()[0], &sp));
        let cases: Vec<(Vec<u8>, &str)> = vec![
            // A payload cut short inside a field, with a matching length.
            (
                file(
                    &payload[..payload.len() - 1],
                    payload.len() as u64 - 1,
                    &end,
                ),
                "",
            ),
            // A length beyond the file.
            (file(&payload, u64::MAX, &end), "truncated"),
            // A string length beyond the record.
            (
                file(&[0xff, 0xff, 0xff, 0xff, 0x0f], 5, &end),
                "beyond the record",
            ),
            // A varint longer than 64 bits.
            (file(&[0xff; 11], 11, &end), "bad length"),
            // Invalid UTF-8 in the id.
            (file(&[2, 0xc3, 0x28], 3, &end), "invalid UTF-8"),
            // Bytes after the last field.
            (
                file(
                    &[&payload[..], &[0]].concat(),
                    payload.len() as u64 + 1,
                    &end,
                ),
                "after the last field",
            ),
            // A bad record tag.
            ([&MAGIC[..], &[7], &[0; 8]].concat(), "bad tag 7"),
            // A wrong count in the end marker.
            (
                file(
                    &payload,
                    payload.len() as u64,
                    &[&[TAG_END][..], &2u64.to_le_bytes()].concat(),
                ),
                "end marker counts 2",
            ),
            // Anything after the end marker.
            (
                file(&payload, payload.len() as u64, &[&end[..], b"x"].concat()),
                "after the end marker",
            ),
            // No end marker.
            (file(&payload, payload.len() as u64, &[]), "truncated"),
        ];
        for (raw, expect) in cases {
            zstd_file(&path, &raw);
            let m = message(read(&path, 1).unwrap_err(), &path);
            assert!(m.contains(expect), "{m} (expected {expect:?})");
        }
        // A huge removed_lines count does not allocate for it.
        let mut huge = Vec::new();
        let mut empty = Vec::new();
        encode(
            &mut empty,
            &Spilled {
                doc: Document::default(),
                reject: None,
            },
        );
        // The count of removed_lines is the second-to-last varint of an
        // empty document (followed by the reject tag).
        assert_eq!(&empty[empty.len() - 2..], &[0, 0]);
        huge.extend_from_slice(&empty[..empty.len() - 2]);
        huge.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0]);
        zstd_file(&path, &file(&huge, huge.len() as u64, &end));
        let m = message(read(&path, 1).unwrap_err(), &path);
        assert!(m.contains("removed_lines"), "{m}");
    }
}
