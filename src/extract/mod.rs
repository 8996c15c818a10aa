//! Extraction: from the bytes of a published file to text per page in reading order.
//!
//! This is the only module that knows about PDF or HTML. The format is decided from the
//! bytes (`%PDF-` header, HTML markup, else text), never from the file name. Each format
//! lives in its own submodule with its own error type; [`extract`] is the single entry point.

pub mod html;
pub mod pdf;
mod text;

use std::path::Path;

use thiserror::Error;

use crate::model::{Extracted, Format};
pub use pdf::{OcrMode, OcrOptions};

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

/// Optional knowledge about a file that does not come from its bytes.
#[derive(Debug, Clone, Default)]
pub struct SourceHints {
    /// A charset known from HTTP headers (a sidecar file or a manifest column).
    pub charset: Option<String>,
}

#[derive(Debug, Error)]
pub enum ExtractError {
    #[error("cannot read `{}`: {source}", .path.display())]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("file is empty")]
    Empty,
    #[error("file is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("unsupported format: {0}")]
    Unsupported(String),
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
    #[error(transparent)]
    Html(#[from] html::HtmlError),
    #[error("extraction panicked: {0}")]
    Panic(String),
    #[error("timed out after {seconds:.0} s; the document was abandoned")]
    TimedOut { seconds: f64 },
}

/// Decides the format of a file from its first bytes.
pub fn sniff_format(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(1024)];
    if find_subslice(head, b"%PDF-").is_some() {
        return Format::Pdf;
    }
    if looks_like_html(&bytes[..bytes.len().min(8192)]) {
        return Format::Html;
    }
    Format::Text
}

fn looks_like_html(head: &[u8]) -> bool {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    [&b"<!doctype html"[..], b"<html", b"<head", b"<body", b"<meta ", b"<title"]
        .iter()
        .any(|marker| find_subslice(&lower, marker).is_some())
}

fn find_subslice(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// Reads and extracts one file. Panics inside a format's extractor become an error for
/// this file only.
pub fn extract_file(
    path: &Path,
    limits: &Limits,
    hints: &SourceHints,
) -> Result<Extracted, ExtractError> {
    let size = fs_err::metadata(path)
        .map_err(|source| ExtractError::Io { path: path.to_owned(), source })?
        .len();
    if size > limits.max_file_bytes {
        return Err(ExtractError::TooLarge { size, limit: limits.max_file_bytes });
    }
    let bytes =
        fs_err::read(path).map_err(|source| ExtractError::Io { path: path.to_owned(), source })?;
    if hints.charset.is_none()
        && let Some(charset) = sidecar_charset(path)
    {
        return extract(&bytes, limits, &SourceHints { charset: Some(charset) });
    }
    extract(&bytes, limits, hints)
}

/// The HTTP charset saved by a mirroring tool next to a page: `page.html.charset`
/// holding a label such as `Shift_JIS`.
fn sidecar_charset(path: &Path) -> Option<String> {
    let mut sidecar = path.as_os_str().to_owned();
    sidecar.push(".charset");
    let label = fs_err::read_to_string(std::path::PathBuf::from(sidecar)).ok()?;
    let label = label.trim();
    (!label.is_empty() && label.len() < 64).then(|| label.to_owned())
}

/// Extracts text from the bytes of one file, in whatever format they are.
pub fn extract(
    bytes: &[u8],
    limits: &Limits,
    hints: &SourceHints,
) -> Result<Extracted, ExtractError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ExtractError::Empty);
    }
    let format = sniff_format(bytes);
    if format != Format::Pdf {
        html::reject_binary(bytes)?;
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match format {
        Format::Pdf => pdf::extract_pdf(bytes, limits).map_err(ExtractError::from),
        Format::Html => html::extract_html(bytes, hints).map_err(ExtractError::from),
        Format::Text => text::extract_text(bytes, hints),
    }))
    .unwrap_or_else(|payload| Err(ExtractError::Panic(panic_message(&payload))))
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "unknown panic".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats_from_bytes() {
        assert_eq!(sniff_format(b"%PDF-1.7\n..."), Format::Pdf);
        assert_eq!(sniff_format(b"<!DOCTYPE html><html><body>x</body></html>"), Format::Html);
        assert_eq!(sniff_format("<HTML><HEAD><TITLE>市</TITLE>".as_bytes()), Format::Html);
        assert_eq!(sniff_format("芽室町行政経営ポリシー".as_bytes()), Format::Text);
    }

    #[test]
    fn whitespace_only_file_is_empty() {
        let err = extract(b" \n\t", &Limits::default(), &SourceHints::default()).unwrap_err();
        assert!(matches!(err, ExtractError::Empty));
    }
}
