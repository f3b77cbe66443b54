//! The jsonl reader on arbitrary bytes; see `corpusforge::fuzzing::check_jsonl`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| corpusforge::fuzzing::check_jsonl(data));
