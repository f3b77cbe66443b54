//! The text reader on arbitrary bytes; see `corpusforge::fuzzing::check_text`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corpusforge::fuzzing::check_text(data));
