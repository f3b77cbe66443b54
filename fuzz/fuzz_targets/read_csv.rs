//! The csv reader on arbitrary bytes; see `corpusforge::fuzzing::check_csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corpusforge::fuzzing::check_csv(data));
