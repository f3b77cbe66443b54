//! Helpers with no knowledge of documents: files, progress bars, CPU time.

pub mod cpu;
pub mod fs;
pub mod progress;
