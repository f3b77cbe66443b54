//! Binary reading helpers (all fastText fields are little-endian on the
//! platforms it is used on). Every read is checked: a short or malformed
//! file is a [`FastTextError`], never a panic.

use std::io::{self, Read};

use super::FastTextError;

pub(super) struct In<R: Read> {
    pub(super) r: R,
    pub(super) pos: u64,
}

impl<R: Read> In<R> {
    fn bytes(&mut self, buf: &mut [u8], what: &str) -> Result<(), FastTextError> {
        match self.r.read_exact(buf) {
            Ok(()) => {
                self.pos += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Err(FastTextError::format(format!(
                    "truncated file: unexpected end of data at byte {} while reading {what}",
                    self.pos
                )))
            }
            Err(e) => Err(FastTextError::Io {
                path: None,
                source: e,
            }),
        }
    }
    pub(super) fn u8(&mut self, what: &str) -> Result<u8, FastTextError> {
        let mut b = [0u8; 1];
        self.bytes(&mut b, what)?;
        Ok(b[0])
    }
    pub(super) fn bool(&mut self, what: &str) -> Result<bool, FastTextError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(FastTextError::format(format!(
                "invalid boolean {v} for {what} at byte {}",
                self.pos - 1
            ))),
        }
    }
    pub(super) fn i32(&mut self, what: &str) -> Result<i32, FastTextError> {
        let mut b = [0u8; 4];
        self.bytes(&mut b, what)?;
        Ok(i32::from_le_bytes(b))
    }
    pub(super) fn i64(&mut self, what: &str) -> Result<i64, FastTextError> {
        let mut b = [0u8; 8];
        self.bytes(&mut b, what)?;
        Ok(i64::from_le_bytes(b))
    }
    pub(super) fn f64(&mut self, what: &str) -> Result<f64, FastTextError> {
        let mut b = [0u8; 8];
        self.bytes(&mut b, what)?;
        Ok(f64::from_le_bytes(b))
    }
    /// NUL-terminated string (dictionary entry).
    pub(super) fn cstr(&mut self, out: &mut Vec<u8>, what: &str) -> Result<(), FastTextError> {
        out.clear();
        loop {
            let c = self.u8(what)?;
            if c == 0 {
                return Ok(());
            }
            out.push(c);
        }
    }
    pub(super) fn f32_vec(&mut self, n: usize, what: &str) -> Result<Vec<f32>, FastTextError> {
        // Read in chunks so that a lying header cannot make us allocate far
        // more than the data actually present.
        let mut v: Vec<f32> = Vec::with_capacity(n.min(1 << 24));
        let mut buf = vec![0u8; 1 << 16];
        let mut left = n;
        while left > 0 {
            let take = left.min(buf.len() / 4);
            self.bytes(&mut buf[..take * 4], what)?;
            v.extend(
                buf[..take * 4]
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
            left -= take;
        }
        Ok(v)
    }
    pub(super) fn u8_vec(&mut self, n: usize, what: &str) -> Result<Vec<u8>, FastTextError> {
        let mut v: Vec<u8> = Vec::with_capacity(n.min(1 << 26));
        let mut buf = vec![0u8; 1 << 16];
        let mut left = n;
        while left > 0 {
            let take = left.min(buf.len());
            self.bytes(&mut buf[..take], what)?;
            v.extend_from_slice(&buf[..take]);
            left -= take;
        }
        Ok(v)
    }
}

pub(super) fn to_usize(v: i64, what: &str) -> Result<usize, FastTextError> {
    usize::try_from(v).map_err(|_| FastTextError::format(format!("invalid {what}: {v}")))
}
