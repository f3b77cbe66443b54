//! The Parquet reader on arbitrary bytes and on damaged files built from
//! them; see `corpusforge::fuzzing::check_parquet`.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: {
        // The reader catches panics of the Parquet decoder and reports the
        // file as corrupt; libFuzzer's hook would abort on them first. A
        // panic that escapes the reader still aborts (libfuzzer-sys checks
        // the target's result).
        std::panic::set_hook(Box::new(|_| {}));
    },
    |data: &[u8]| corpusforge::fuzzing::check_parquet(data)
);
