//! The hostile pages of `tests/fixtures/hostile/` (see its README) through this crate alone.

use std::path::Path;

use gyokaku_html::{SourceHints, extract_html};

fn hostile(name: &str) -> Vec<u8> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hostile").join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[test]
fn random_bytes_are_binary_not_mojibake() {
    let err = extract_html(&hostile("random.html"), &SourceHints::default()).unwrap_err();
    assert!(err.to_string().starts_with("binary data"), "{err}");
}

#[test]
fn an_unknown_charset_falls_back_to_detection_with_a_warning() {
    let extracted =
        extract_html(&hostile("unknown_charset.html"), &SourceHints::default()).unwrap();
    assert_eq!(extracted.title.as_deref(), Some("行政改革推進計画の概要"));
    assert!(
        extracted.warnings.iter().any(|w| w.contains("x-gyokaku-unknown-9")),
        "{:?}",
        extracted.warnings
    );
}
