//! The taxonomy parser on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // The identity read for run reports; the full taxonomy parser (issue 5) is fuzzed
        // here too once it is on main.
        let _ = gyokaku::batch::provenance::TaxonomyIdentity::from_toml(text);
    }
});
