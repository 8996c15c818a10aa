//! The batch config parser on arbitrary text (globs are not expanded: no file system walk).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = gyokaku::batch::BatchConfig::parse_unexpanded(text, Path::new("fuzz/batch.toml"));
    }
});
