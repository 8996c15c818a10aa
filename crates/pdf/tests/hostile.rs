//! The hostile PDFs of `tests/fixtures/hostile/` (see its README) through this crate alone,
//! without the pipeline: a result or an error, never a panic, and the outcomes the README asks.

use std::path::{Path, PathBuf};

use gyokaku_pdf::{Limits, PdfError, extract_pdf};

fn hostile(name: &str) -> Vec<u8> {
    let path: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/hostile").join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn limits() -> Limits {
    Limits { max_decompressed_bytes: 64 * 1024 * 1024, max_seconds: 10.0, ..Limits::default() }
}

#[test]
fn every_hostile_pdf_gives_a_result_or_an_error() {
    for name in [
        "broken_xref.pdf",
        "empty.pdf",
        "encrypted_noprint.pdf",
        "encrypted_userpw.pdf",
        "flate_bomb.pdf",
        "flate_bomb_nested.pdf",
        "page_tree_loop.pdf",
        "random.pdf",
        "truncated.pdf",
        "xobject_loop.pdf",
    ] {
        let _ = extract_pdf(&hostile(name), &limits());
    }
}

#[test]
fn a_user_password_is_refused_and_an_empty_one_is_read() {
    let locked = extract_pdf(&hostile("encrypted_userpw.pdf"), &limits());
    assert!(matches!(locked, Err(PdfError::Encrypted)), "{locked:?}");
    let open = extract_pdf(&hostile("encrypted_noprint.pdf"), &limits()).unwrap();
    assert!(open.pages.iter().any(|page| !page.text.trim().is_empty()));
}

#[test]
fn a_self_drawing_form_is_read_once() {
    let extracted = extract_pdf(&hostile("xobject_loop.pdf"), &limits()).unwrap();
    let text: String = extracted.pages.iter().map(|page| page.text.as_str()).collect();
    assert!(text.contains("self-drawing form"), "{text}");
}

#[test]
fn random_bytes_are_not_a_pdf() {
    assert!(extract_pdf(&hostile("random.pdf"), &limits()).is_err());
}
