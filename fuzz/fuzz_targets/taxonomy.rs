//! The taxonomy parser on arbitrary text: a clear error or a taxonomy, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = gyokaku::themes::Taxonomy::from_toml_str(text, "fuzz.toml");
        let _ = gyokaku::batch::provenance::TaxonomyIdentity::from_toml(text);
    }
});
