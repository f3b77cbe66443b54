//! Oversized records are rejected without being held in memory: a 200 MB
//! line (JSON Lines) or file (text), generated on the fly by a reader, goes
//! through the reader while a counting allocator records the peak of live
//! heap bytes. The check is by design, not by timing: with
//! `max_doc_bytes` = 1 MiB the reader may hold about that much, never the
//! 200 MB.
//!
//! One test in this binary: the allocator's counters are global.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

use corpusforge::config::InputConfig;
use corpusforge::doc::Record;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; only sizes are
// counted on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// `head`, then `n` bytes of base64-like text, then `tail`, produced as read.
struct Blob {
    head: std::io::Cursor<Vec<u8>>,
    left: u64,
    tail: std::io::Cursor<Vec<u8>>,
}

impl Read for Blob {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        if self.left > 0 {
            let k = buf.len().min(self.left as usize);
            const B64: &[u8] = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w";
            for (i, b) in buf[..k].iter_mut().enumerate() {
                *b = B64[(self.left as usize + i) % B64.len()];
            }
            self.left -= k as u64;
            return Ok(k);
        }
        self.tail.read(buf)
    }
}

const BLOB: u64 = 200 << 20;
const LIMIT: usize = 1 << 20;

/// Peak live heap bytes while `f` runs, above what was live before.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - base)
}

#[test]
fn a_200_mb_record_is_rejected_without_being_held() {
    let cfg = InputConfig {
        max_doc_bytes: LIMIT,
        ..InputConfig::default()
    };
    let good = |id: &str| {
        format!(
            "{}\n",
            serde_json::json!({"id": id, "text": "A short article that fits."})
        )
    };

    // JSON Lines: a good line, the blob, a good line.
    let head = format!("{}{{\"id\":\"blob\",\"text\":\"", good("a"));
    let tail = format!("\"}}\n{}", good("c"));
    let line_len = BLOB + (head.len() - good("a").len()) as u64 + 2;
    let blob = Blob {
        head: std::io::Cursor::new(head.into_bytes()),
        left: BLOB,
        tail: std::io::Cursor::new(tail.into_bytes()),
    };
    let ((records, err), peak) =
        peak_during(|| corpusforge::fuzzing::read_stream("a.jsonl", blob, &cfg));
    assert!(err.is_none(), "{err:?}");
    assert_eq!(records.len(), 3);
    match &records[1] {
        Record::Bad { reject, prov, .. } => {
            assert_eq!(prov.line, Some(2));
            assert_eq!(reject.reason, "too_large");
            assert_eq!(
                reject.detail,
                format!("line is {line_len} bytes, over input.max_doc_bytes = {LIMIT}")
            );
        }
        r => panic!("{r:?}"),
    }
    assert!(matches!(records[2], Record::Doc(_)));
    assert!(
        peak < 4 * LIMIT,
        "JSON Lines reader held {peak} bytes for a {BLOB}-byte line"
    );

    // One article per file: read up to the limit only.
    let blob = Blob {
        head: std::io::Cursor::new(Vec::new()),
        left: BLOB,
        tail: std::io::Cursor::new(Vec::new()),
    };
    let ((records, err), peak) =
        peak_during(|| corpusforge::fuzzing::read_stream("a.txt", blob, &cfg));
    assert!(err.is_none(), "{err:?}");
    match &records[..] {
        [Record::Bad { reject, .. }] => assert_eq!(
            reject.detail,
            format!("file is more than {LIMIT} bytes, over input.max_doc_bytes = {LIMIT}")
        ),
        r => panic!("{r:?}"),
    }
    assert!(
        peak < 4 * LIMIT,
        "text reader held {peak} bytes for a {BLOB}-byte file"
    );
}
