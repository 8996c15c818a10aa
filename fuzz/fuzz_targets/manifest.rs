//! The manifest.csv parser on arbitrary bytes (through a file, as users give it).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("gyokaku-fuzz-manifest-{}.csv", std::process::id()));
    if std::fs::write(&path, data).is_ok() {
        let _ = gyokaku::metadata::Manifest::load(&path);
    }
});
