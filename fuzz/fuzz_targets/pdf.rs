//! The PDF extractor on arbitrary bytes: it may fail, never panic, hang or blow memory.
#![no_main]

use gyokaku_pdf::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_decompressed_bytes: 64 * 1024 * 1024,
        max_seconds: 5.0,
        ..Limits::default()
    };
    let _ = gyokaku_pdf::extract_pdf(data, &limits);
});
