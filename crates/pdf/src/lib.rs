//! PDF text extraction on lopdf's object model.
//!
//! lopdf parses the file, decrypts it (empty user password) and decompresses streams;
//! everything about text is ours: the content-stream `interpreter`, `font`s with their
//! `cmap`s and the predefined CMap and CID `tables`, `layout` for reading order, and
//! `furniture` for running headers, footers and page numbers. One bad page gives a
//! warning, not an error; errors are for files that cannot be read at all.
//!
//! Why a crate of its own (issue 10): the PDF reader is the largest and most often changed
//! part of extraction, and it needs neither the dictionary nor the index. As a crate it
//! builds and tests in seconds (`cargo test -p gyokaku-pdf`), its fuzz target links only
//! it, and the rule that only extraction knows about PDF is enforced by the build. The
//! `gyokaku` crate glues it in `gyokaku::extract`. Public API: [`extract_pdf`], [`Limits`],
//! [`PdfError`], the OCR options in [`ocr`], and [`remove_dot_leaders`] (shared with text
//! files).

mod cmap;
mod font;
mod furniture;
mod grid;
mod interpreter;
mod layout;
mod objects;
pub mod ocr;
mod tables;

pub use ocr::{OcrMode, OcrOptions};

use std::cell::Cell;
use std::time::{Duration, Instant};

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};
use thiserror::Error;

use furniture::PageBox;
pub use furniture::remove_dot_leaders;
use grid::Grid;
use gyokaku_extract_model::{Extracted, Format, HeadingMark, OcrPage, Page, Removed};
use interpreter::{Interpreter, Matrix};
use layout::Fragment;
use objects::{Budget, LimitHit};

/// Resource limits for one document, so one hostile file cannot stall or exhaust a batch.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Files larger than this are refused before reading.
    pub max_file_bytes: u64,
    /// Upper bound on the bytes decompressed from PDF streams, summed over the document.
    pub max_decompressed_bytes: u64,
    /// Wall-clock budget for extracting one document.
    pub max_seconds: f64,
    /// Maximum nesting of Form XObjects and similar recursive structures.
    pub max_depth: u32,
    /// When scanned pages are read by OCR, and how many at a time. Not a limit, but it
    /// travels with them to every extraction and bounds the work done per document.
    pub ocr: OcrOptions,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 200 * 1024 * 1024,
            max_decompressed_bytes: 1024 * 1024 * 1024,
            max_seconds: 120.0,
            max_depth: 16,
            ocr: OcrOptions::default(),
        }
    }
}

#[derive(Debug, Error)]
pub enum PdfError {
    #[error("not a PDF: broken header")]
    NotPdf,
    #[error("cannot read the PDF structure: {0}")]
    Unreadable(String),
    #[error("PDF is encrypted with a user password; ask the publisher for an unprotected copy")]
    Encrypted,
    #[error("PDF has no pages")]
    NoPages,
    #[error("decompressed size over the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("PDF extraction took longer than the limit of {seconds} s")]
    TooSlow { seconds: f64 },
}

/// Extracts the text of every page of a PDF in reading order.
///
/// A bug here may panic on a hostile file; callers catch that at the document boundary
/// with the one panic net, `gyokaku_extract_model::catch_panic` (`gyokaku::extract` does),
/// so the fuzz targets see every panic.
pub fn extract_pdf(bytes: &[u8], limits: &Limits) -> Result<Extracted, PdfError> {
    extract_checked(bytes, limits)
}

fn extract_checked(bytes: &[u8], limits: &Limits) -> Result<Extracted, PdfError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|window| window == b"%PDF-") {
        return Err(PdfError::NotPdf);
    }
    let budget = Budget {
        deadline: Instant::now() + Duration::from_secs_f64(limits.max_seconds.max(0.0)),
        max_seconds: limits.max_seconds,
        max_decompressed: limits.max_decompressed_bytes,
        decompressed: Cell::new(0),
        max_depth: limits.max_depth,
    };
    let options = LoadOptions {
        max_decompressed_size: Some(
            usize::try_from(limits.max_decompressed_bytes).unwrap_or(usize::MAX),
        ),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|error| match error {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            PdfError::TooLarge { limit: limits.max_decompressed_bytes }
        }
        lopdf::Error::InvalidPassword => PdfError::Encrypted,
        other => PdfError::Unreadable(one_line(&other.to_string())),
    })?;
    if doc.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let page_ids = doc.get_pages();
    if page_ids.is_empty() {
        return Err(PdfError::NoPages);
    }
    let limit_error = |hit: LimitHit| match hit {
        LimitHit::Bytes => PdfError::TooLarge { limit: budget.max_decompressed },
        LimitHit::Time => PdfError::TooSlow { seconds: budget.max_seconds },
    };
    let mut warnings = Vec::new();
    let mut interpreter = Interpreter::new(&doc, &budget);
    let mut pages: Vec<(u32, PageBox, Vec<Fragment>)> = Vec::new();
    let mut grids: Vec<Vec<Grid>> = Vec::new();
    for (&number, &page_id) in &page_ids {
        budget.check_time().map_err(limit_error)?;
        let fragments =
            page_fragments(&doc, page_id, number, &mut interpreter, &budget, &mut warnings)
                .map_err(limit_error)?;
        pages.push((number, page_box(&doc, page_id), fragments));
        grids.push(grid::find_grids(&interpreter.rules));
    }
    let mut removed = Vec::new();
    furniture::remove_furniture(&mut pages, &mut removed);
    let mut pages: Vec<Page> = pages
        .into_iter()
        .zip(grids)
        .map(|((number, _, fragments), grids)| {
            assemble_page(number, fragments, &grids, &mut removed, &mut warnings)
        })
        .collect();
    let ids: Vec<ObjectId> = page_ids.values().copied().collect();
    let ocr = apply_ocr(&doc, bytes, &ids, &mut pages, &mut warnings, &limits.ocr, &budget);
    let mut read: Vec<&mut Page> =
        pages.iter_mut().filter(|p| ocr.iter().any(|m| m.page == p.number)).collect();
    furniture::remove_ocr_furniture(&mut read, &mut removed);
    let mut extracted = Extracted::new(Format::Pdf, pages);
    extracted.title = document_title(&doc);
    extracted.warnings = warnings;
    extracted.removed = removed;
    extracted.ocr = ocr;
    Ok(extracted)
}

/// Reads the pages that need it by OCR (see `ocr`), replacing their text; on a machine
/// without Tesseract the pages keep their warnings and get a hint to install it.
fn apply_ocr(
    doc: &Document,
    bytes: &[u8],
    ids: &[ObjectId],
    pages: &mut [Page],
    warnings: &mut Vec<String>,
    options: &OcrOptions,
    budget: &Budget,
) -> Vec<OcrPage> {
    let wanted: Vec<(usize, u32, ObjectId)> = pages
        .iter()
        .zip(ids)
        .enumerate()
        .filter(|(_, (page, _))| ocr::needs_ocr(options.mode, &page.text))
        // A page that draws no image has nothing to read (a blank page, a page of rules):
        // OCR there would cost a second and find specks.
        .filter(|(_, (_, id))| options.mode == OcrMode::Always || ocr::draws_image(doc, **id))
        .map(|(index, (page, &id))| (index, page.number, id))
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let results = match ocr::ocr_pages(doc, bytes, &wanted, options, budget.deadline) {
        Ok(results) => results,
        Err(reason) => {
            warnings.push(reason);
            return Vec::new();
        }
    };
    let mut marks = Vec::new();
    for result in results {
        let Some(page) = pages.get_mut(result.index) else { continue };
        let number = page.number;
        match result.page {
            // Nothing read, or one speck (a page of drawings): the page keeps its warning.
            Ok((read, _)) if read.text.chars().filter(|c| !c.is_whitespace()).count() <= 1 => {}
            Ok((read, mark)) => {
                *page = read;
                let own = |w: &String| {
                    w == &format!("page {number} has no text (scanned image?)")
                        || w.starts_with(&format!("page {number}: ")) && w.contains("U+FFFD")
                };
                warnings.retain(|w| !own(w));
                marks.push(mark);
            }
            Err(reason) => warnings.push(format!("page {number}: OCR failed: {reason}")),
        }
    }
    marks
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn page_fragments(
    doc: &Document,
    page_id: ObjectId,
    number: u32,
    interpreter: &mut Interpreter<'_>,
    budget: &Budget,
    warnings: &mut Vec<String>,
) -> Result<Vec<Fragment>, LimitHit> {
    let Ok(page) = doc.get_dictionary(page_id) else {
        warnings.push(format!("page {number} cannot be read"));
        return Ok(Vec::new());
    };
    let (content, damaged) = page_content(doc, page, budget)?;
    let empty = Dictionary::new();
    let resources = inherited(doc, page, b"Resources")
        .and_then(|object| match object {
            Object::Dictionary(dict) => Some(dict),
            _ => None,
        })
        .unwrap_or(&empty);
    interpreter.run_page(&content, resources, rotation_matrix(doc, page))?;
    let report = &interpreter.report;
    if damaged || report.broken_streams > 0 {
        warnings.push(format!("page {number}: content stream is damaged; text may be incomplete"));
    }
    for font in &report.unmapped_fonts {
        let warning = format!("font `{font}` has no Unicode mapping for some characters");
        if !warnings.iter().any(|w| w.starts_with(&warning)) {
            warnings.push(format!("{warning} (first on page {number})"));
        }
    }
    Ok(layout::fragments(&interpreter.glyphs))
}

/// The page's content streams, decoded and concatenated; the flag tells whether some
/// stream could not be decoded.
fn page_content(
    doc: &Document,
    page: &Dictionary,
    budget: &Budget,
) -> Result<(Vec<u8>, bool), LimitHit> {
    let mut content = Vec::new();
    let mut damaged = false;
    let streams: Vec<&Object> = match page.get(b"Contents").map(|o| objects::resolve(doc, o)) {
        Ok(Object::Array(items)) => items.iter().map(|item| objects::resolve(doc, item)).collect(),
        Ok(other) => vec![other],
        Err(_) => Vec::new(),
    };
    for object in streams {
        match object {
            Object::Stream(stream) => match budget.stream_content(stream)? {
                Some(bytes) => {
                    content.extend_from_slice(&bytes);
                    content.push(b'\n');
                }
                None => damaged = true,
            },
            Object::Null => {}
            _ => damaged = true,
        }
    }
    Ok((content, damaged))
}

/// A page attribute, looked up through the page tree's `/Parent` chain.
/// A page attribute, looked up through its `Parent` chain (bounded: a cycle ends the search).
pub(crate) fn inherited<'a>(
    doc: &'a Document,
    page: &'a Dictionary,
    key: &[u8],
) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Some(value) = objects::get(doc, node, key) {
            return Some(value);
        }
        node = objects::get_dict(doc, node, b"Parent")?;
    }
    None
}

fn rotation(doc: &Document, page: &Dictionary) -> i64 {
    let degrees = inherited(doc, page, b"Rotate").and_then(|o| o.as_i64().ok()).unwrap_or(0);
    degrees.rem_euclid(360)
}

/// Maps page space to display space so that layout sees the page as a reader does.
fn rotation_matrix(doc: &Document, page: &Dictionary) -> Matrix {
    match rotation(doc, page) {
        90 => [0.0, -1.0, 1.0, 0.0, 0.0, 0.0],
        180 => [-1.0, 0.0, 0.0, -1.0, 0.0, 0.0],
        270 => [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
        _ => interpreter::IDENTITY,
    }
}

fn page_box(doc: &Document, page_id: ObjectId) -> PageBox {
    let Ok(page) = doc.get_dictionary(page_id) else { return (0.0, 0.0, 612.0, 792.0) };
    let media = inherited(doc, page, b"CropBox")
        .or_else(|| inherited(doc, page, b"MediaBox"))
        .and_then(|o| o.as_array().ok())
        .filter(|items| items.len() == 4)
        .and_then(|items| {
            let v: Vec<f32> = items.iter().filter_map(|i| objects::number(doc, i)).collect();
            (v.len() == 4).then(|| (v[0], v[1], v[2], v[3]))
        })
        .unwrap_or((0.0, 0.0, 612.0, 792.0));
    let m = rotation_matrix(doc, page);
    let (ax, ay) = interpreter::apply(&m, media.0, media.1);
    let (bx, by) = interpreter::apply(&m, media.2, media.3);
    (ax.min(bx), ay.min(by), ax.max(bx), ay.max(by))
}

fn assemble_page(
    number: u32,
    fragments: Vec<Fragment>,
    grids: &[Grid],
    removed: &mut Vec<Removed>,
    warnings: &mut Vec<String>,
) -> Page {
    if fragments.is_empty() {
        warnings.push(format!("page {number} has no text (scanned image?)"));
        return Page { number, text: String::new(), headings: Vec::new() };
    }
    let laid_out = layout::page_text(fragments, grids);
    let mut headings = Vec::new();
    let mut text = String::with_capacity(laid_out.text.len());
    let mut marks = laid_out.headings.iter().peekable();
    for (start, line) in line_spans(&laid_out.text) {
        let cleaned = furniture::remove_dot_leaders(number, line, removed);
        while let Some((at, level)) = marks.peek() {
            if *at >= start + line.len() {
                break;
            }
            let seen = headings.last().is_some_and(|h: &HeadingMark| h.start == text.len());
            if *at >= start && !seen {
                headings.push(HeadingMark { start: text.len(), level: *level });
            }
            marks.next();
        }
        text.push_str(&cleaned);
    }
    let replacements = text.chars().filter(|&ch| ch == '\u{FFFD}').count();
    if replacements > 0 {
        warnings.push(format!(
            "page {number}: {replacements} characters could not be decoded (U+FFFD)"
        ));
    }
    Page { number, text: text.trim_end().to_owned(), headings }
}

/// Lines of a text with their byte offsets, newline included.
fn line_spans(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').scan(0, |offset, line| {
        let start = *offset;
        *offset += line.len();
        Some((start, line))
    })
}

/// The document info `/Title`, when it names the document rather than a file.
fn document_title(doc: &Document) -> Option<String> {
    let info = objects::get_dict(doc, &doc.trailer, b"Info")?;
    let Object::String(bytes, _) = objects::get(doc, info, b"Title")? else { return None };
    let title = interpreter::decode_text_string(bytes);
    let title = title.trim().trim_start_matches("Microsoft Word - ").trim();
    let lower = title.to_lowercase();
    let file_like = [".doc", ".docx", ".pdf", ".xls", ".xlsx", ".jtd", ".ppt", ".pptx", ".txt"]
        .iter()
        .any(|ext| lower.ends_with(ext));
    let placeholder =
        ["untitled", "無題", "タイトルなし", "title", "document"].contains(&lower.as_str());
    let meaningful =
        !title.is_empty() && !file_like && !placeholder && title.chars().any(char::is_alphanumeric);
    meaningful.then(|| title.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_pdf_is_refused_with_a_clear_reason() {
        let error = extract_pdf(b"hello", &Limits::default()).unwrap_err();
        assert_eq!(error.to_string(), "not a PDF: broken header");
    }

    #[test]
    fn heading_marks_point_at_their_own_line() {
        // Regression: a mark at the start of a line was given to the line before it.
        let fragment = |text: &str, c: f32, size: f32| Fragment {
            text: text.into(),
            a0: 50.0,
            a1: 50.0 + size * text.chars().count() as f32,
            c,
            size,
            orientation: layout::Orientation::Horizontal,
            bbox: (50.0, -c, 300.0, -c + size),
        };
        let fragments = vec![
            fragment("本文の段落です。", -700.0, 10.0),
            fragment("本文の続きです。", -650.0, 10.0),
            fragment("第2章　見出し", -600.0, 16.0),
            fragment("次の本文です。", -570.0, 10.0),
        ];
        let page = assemble_page(1, fragments, &[], &mut Vec::new(), &mut Vec::new());
        let starts: Vec<&str> = page
            .headings
            .iter()
            .map(|h| page.text[h.start..].lines().next().unwrap_or(""))
            .collect();
        assert_eq!(starts, vec!["第2章　見出し"], "{:?}", page.text);
    }

    #[test]
    fn a_truncated_pdf_is_an_error_not_a_panic() {
        let error = extract_pdf(b"%PDF-1.4\n1 0 obj << /Type /Catalog", &Limits::default());
        assert!(error.is_err());
    }
}
