//! A whole build on a one-file input made from the fuzz data; see
//! `corpusforge::fuzzing::check_build`.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

fn work() -> &'static PathBuf {
    static W: OnceLock<PathBuf> = OnceLock::new();
    W.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("corpusforge-fuzz-build-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("create the work folder");
        d
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| corpusforge::fuzzing::check_build(data, work()));
