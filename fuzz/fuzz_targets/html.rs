//! The HTML extractor on arbitrary bytes, with and without a declared charset.
#![no_main]

use gyokaku_html::SourceHints;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gyokaku_html::extract_html(data, &SourceHints::default());
    let hints = SourceHints { charset: Some("shift_jis".to_owned()) };
    let _ = gyokaku_html::extract_html(data, &hints);
});
