//! `normalize` on arbitrary text; see `corpusforge::fuzzing::check_normalize`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corpusforge::fuzzing::check_normalize(data));
