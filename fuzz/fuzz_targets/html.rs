//! The HTML extractor on arbitrary bytes, with and without a declared charset.
#![no_main]

use gyokaku::extract::SourceHints;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gyokaku::extract::html::extract_html(data, &SourceHints::default());
    let hints = SourceHints { charset: Some("shift_jis".to_owned()) };
    let _ = gyokaku::extract::html::extract_html(data, &hints);
});
