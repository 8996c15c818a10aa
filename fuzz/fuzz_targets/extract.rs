//! The extraction entry point (format sniffing, then PDF, HTML or text) on arbitrary bytes.
#![no_main]

use gyokaku::extract::{Limits, SourceHints};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_decompressed_bytes: 64 * 1024 * 1024,
        max_seconds: 5.0,
        ..Limits::default()
    };
    let _ = gyokaku::extract::extract(data, &limits, &SourceHints::default());
});
