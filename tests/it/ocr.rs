//! OCR of scanned pages end to end, through the real binary, on image-only PDFs made by
//! scripts/make_scans.py from our own fixtures (scan_horizontal: lo_writer at 300 dpi,
//! scan_vertical: chromium_vertical at 200 dpi, scan_columns: lo_columns_short_lines at
//! 200 dpi; gold text in NAME.txt), and scan_ccitt: scan_horizontal as a 1-bit CCITT Group 4
//! (fax-coded) image, made by scripts/make_ccitt_scan.py, with scan_horizontal's gold.
//!
//! Tests that need Tesseract with Japanese data say so and return when it is missing
//! (`.ci/run` installs it); the behaviour without Tesseract is tested everywhere.

use std::path::Path;

use unicode_normalization::UnicodeNormalization;

use crate::support::{fixture, gyokaku, search_json};

fn tesseract_with_japanese() -> bool {
    let available = gyokaku::extract::pdf::ocr::engine().is_some();
    if !available {
        // Skipping is reported, never silent: the test harness shows a test's stderr.
        report_skip(
            "skipped: Tesseract with `jpn` is not installed (apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert)",
        );
    }
    available
}

// Tests may print; the lint is for the library, whose only printer is `output`.
#[allow(clippy::print_stderr)]
fn report_skip(message: &str) {
    eprintln!("{message}");
}

fn squeezed(text: &str) -> Vec<char> {
    text.nfkc().filter(|ch| !ch.is_whitespace()).collect()
}

/// 1 − Levenshtein / gold length, as scripts/eval_pdf.py scores.
fn accuracy(text: &str, gold: &str) -> f64 {
    let (a, b) = (squeezed(text), squeezed(gold));
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    1.0 - row[b.len()] as f64 / b.len().max(1) as f64
}

fn extract_json(file: &Path, extra: &[&str]) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = gyokaku(dir.path())
        .arg("extract")
        .arg(file)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("run gyokaku extract");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let json = serde_json::from_slice(&output.stdout).expect("extract prints JSON");
    (json, String::from_utf8_lossy(&output.stderr).into_owned())
}

fn gold(name: &str) -> String {
    fs_err::read_to_string(fixture(&format!("pdf/{name}.txt"))).expect("gold text")
}

#[test]
fn a_scanned_horizontal_page_is_read_by_ocr_and_marked() {
    if !tesseract_with_japanese() {
        return;
    }
    let (json, _) = extract_json(&fixture("pdf/scan_horizontal.pdf"), &[]);
    let page = &json["pages"][0];
    let score = accuracy(page["text"].as_str().unwrap_or(""), &gold("scan_horizontal"));
    assert!(score >= 0.95, "accuracy {score:.3}: {}", page["text"]);
    assert!(page["ocr"]["engine"].as_str().is_some_and(|e| e.starts_with("tesseract ")));
    assert_eq!(page["ocr"]["language"], "jpn");
    assert!(page["ocr"]["mean_confidence"].as_f64().is_some_and(|c| c > 50.0), "{page}");
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(0), "{json}");
}

/// Issue 10: a fax-coded (CCITT Group 4) page has no decoder of ours; it is rasterised and
/// read like any other scan.
#[test]
fn a_ccitt_fax_coded_scan_is_rasterised_and_read_by_ocr() {
    if !tesseract_with_japanese() {
        return;
    }
    let (json, _) = extract_json(&fixture("pdf/scan_ccitt.pdf"), &[]);
    let page = &json["pages"][0];
    let score = accuracy(page["text"].as_str().unwrap_or(""), &gold("scan_horizontal"));
    assert!(score >= 0.95, "accuracy {score:.3}: {}", page["text"]);
    assert!(page["ocr"]["engine"].as_str().is_some_and(|e| e.starts_with("tesseract ")), "{page}");
}

/// Issue 10: a title across two columns, short menu lines at the top of the left column.
/// Tesseract's own page segmentation read the title's end after the left column and lost
/// characters inside the right one (0.759 at 200 dpi); the columns found in the image are
/// read one after the other.
#[test]
fn a_scanned_two_column_page_reads_title_then_left_then_right_column() {
    if !tesseract_with_japanese() {
        return;
    }
    let (json, _) = extract_json(&fixture("pdf/scan_columns.pdf"), &[]);
    let text = json["pages"][0]["text"].as_str().unwrap_or("");
    let score = accuracy(text, &gold("scan_columns"));
    assert!(score >= 0.95, "accuracy {score:.3}: {text}");
    let squeezed: String = squeezed(text).into_iter().collect();
    let at = |needle: &str| squeezed.find(needle).unwrap_or(usize::MAX);
    assert!(at("の概要") < at("きせかえ"), "the whole title first: {text}");
    assert!(at("検討します") < at("財政運営"), "the left column before the right: {text}");
}

#[test]
fn a_scanned_vertical_page_is_read_with_the_vertical_model_in_order() {
    if !tesseract_with_japanese() {
        return;
    }
    let (json, _) = extract_json(&fixture("pdf/scan_vertical.pdf"), &[]);
    let page = &json["pages"][0];
    let score = accuracy(page["text"].as_str().unwrap_or(""), &gold("scan_vertical"));
    assert!(score >= 0.95, "accuracy {score:.3}: {}", page["text"]);
    assert_eq!(page["ocr"]["language"], "jpn_vert");
}

#[test]
fn ocr_never_leaves_a_scan_empty_with_the_usual_warning() {
    let (json, _) = extract_json(&fixture("pdf/scan_horizontal.pdf"), &["--ocr", "never"]);
    assert_eq!(json["pages"][0]["text"], "");
    assert!(json["pages"][0].get("ocr").is_none());
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("page 1 has no text (scanned image?)"), "{warnings}");
    assert!(!warnings.contains("hint"), "{warnings}");
}

#[test]
fn without_tesseract_a_scan_gets_the_warning_and_an_install_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = gyokaku(dir.path())
        .env("GYOKAKU_TESSERACT", dir.path().join("no-such-tesseract"))
        .arg("extract")
        .arg(fixture("pdf/scan_horizontal.pdf"))
        .args(["--format", "json"])
        .output()
        .expect("run gyokaku extract");
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["pages"][0]["text"], "");
    let warnings = json["warnings"].to_string();
    assert!(warnings.contains("page 1 has no text (scanned image?)"), "{warnings}");
    assert!(warnings.contains("apt-get install tesseract-ocr tesseract-ocr-jpn"), "{warnings}");
}

#[test]
fn a_text_layer_is_not_ocred_in_auto_mode() {
    let (json, _) = extract_json(&fixture("pdf/lo_writer.pdf"), &[]);
    assert!(json["pages"][0].get("ocr").is_none(), "{json}");
    assert!(json.get("ocr").is_none(), "{json}");
}

#[test]
fn a_scanned_plan_is_searchable_after_ingest() {
    if !tesseract_with_japanese() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let plans = dir.path().join("plans");
    fs_err::create_dir_all(&plans).expect("plans folder");
    fs_err::copy(fixture("pdf/scan_horizontal.pdf"), plans.join("scan.pdf")).expect("copy");
    fs_err::copy(fixture("pdf/lo_writer.pdf"), plans.join("text_layer.pdf")).expect("copy");
    gyokaku(dir.path()).args(["ingest", "plans", "--index", "index"]).assert().success();
    let json = search_json(dir.path(), &["公共施設", "老朽化"]);
    assert!(json["total"].as_u64().is_some_and(|n| n >= 1), "{json}");
    let hits = json["hits"].as_array().expect("hits");
    let scanned: Vec<_> = hits
        .iter()
        .filter(|h| h["path"].as_str().is_some_and(|p| p.ends_with("scan.pdf")))
        .collect();
    assert_eq!(scanned[0]["page"], 1);
    // Passages of an OCR'd page say so; passages from a text layer carry no mark.
    assert!(scanned.iter().all(|h| h["ocr"] == true), "{json}");
    assert!(
        hits.iter()
            .filter(|h| h["path"].as_str().is_some_and(|p| p.ends_with("text_layer.pdf")))
            .all(|h| h.get("ocr").is_none()),
        "{json}"
    );
}
