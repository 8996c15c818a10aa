//! Extraction: from the bytes of a published file to text per page in reading order.
//!
//! This is the only module that knows about PDF or HTML. The format is decided from the
//! bytes (`%PDF-` header, HTML markup, else text), never from the file name. Each format
//! lives in its own submodule with its own error type; [`extract`] is the single entry point.

//!
//! The extractors themselves are workspace crates, `gyokaku-pdf` (`crates/pdf`) and
//! `gyokaku-html` (`crates/html`), re-exported here as [`pdf`] and [`html`]; their shared
//! values come from `gyokaku-extract-model`. This module is the glue: format sniffing,
//! plain-text files, the `.charset` sidecar, the one panic net and the one timeout.

pub use gyokaku_html as html;
pub use gyokaku_pdf as pdf;
mod text;

use std::path::Path;

use thiserror::Error;

use crate::model::{Extracted, Format};
pub use gyokaku_extract_model::catch_panic;
pub use html::SourceHints;
pub use pdf::{Limits, OcrMode, OcrOptions};

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

/// Reads and extracts one file, under the deadline of [`extract_with_deadline`]. Panics
/// inside a format's extractor become an error for this file only.
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
    let hints = source_hints(path, hints.charset.clone());
    extract_with_deadline(&bytes, limits, &hints)
}

/// What is known about `path` from outside its bytes: `charset` when the caller knows one
/// (a manifest column), else the HTTP charset a mirroring tool saved next to the page in a
/// sidecar, `page.html.charset`, holding a label such as `Shift_JIS`. `extract` and
/// `ingest` both read hints through here.
pub fn source_hints(path: &Path, charset: Option<String>) -> SourceHints {
    SourceHints { charset: charset.or_else(|| sidecar_charset(path)) }
}

fn sidecar_charset(path: &Path) -> Option<String> {
    let mut sidecar = path.as_os_str().to_owned();
    sidecar.push(".charset");
    let label = fs_err::read_to_string(std::path::PathBuf::from(sidecar)).ok()?;
    let label = label.trim();
    (!label.is_empty() && label.len() < 64).then(|| label.to_owned())
}

/// [`extract`] on a watchdog thread: the one timeout of extraction. An extractor stuck past
/// the hard deadline (`max_seconds` plus a grace period, during which the PDF reader's own
/// budget checks, which use the same `max_seconds`, normally end the work) is abandoned with
/// [`ExtractError::TimedOut`], and the batch goes on.
pub fn extract_with_deadline(
    bytes: &[u8],
    limits: &Limits,
    hints: &SourceHints,
) -> Result<Extracted, ExtractError> {
    let deadline = limits.max_seconds + (limits.max_seconds / 4.0).max(2.0);
    if !deadline.is_finite() || deadline <= 0.0 {
        return extract(bytes, limits, hints);
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    let (owned, thread_limits, thread_hints) = (bytes.to_vec(), limits.clone(), hints.clone());
    let spawned = std::thread::Builder::new()
        .name("gyokaku-extract".to_owned())
        .stack_size(EXTRACT_STACK_BYTES)
        .spawn(move || {
            let _ = sender.send(extract(&owned, &thread_limits, &thread_hints));
        });
    if spawned.is_err() {
        return extract(bytes, limits, hints);
    }
    match receiver.recv_timeout(std::time::Duration::from_secs_f64(deadline)) {
        Ok(result) => result,
        Err(_) => Err(ExtractError::TimedOut { seconds: deadline }),
    }
}

/// Stack of an extraction thread: deep but bounded recursion in hostile PDFs needs room.
const EXTRACT_STACK_BYTES: usize = 16 * 1024 * 1024;

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
    catch_panic(|| match format {
        Format::Pdf => pdf::extract_pdf(bytes, limits).map_err(ExtractError::from),
        Format::Html => html::extract_html(bytes, hints).map_err(ExtractError::from),
        Format::Text => text::extract_text(bytes, hints),
    })
    .unwrap_or_else(|message| Err(ExtractError::Panic(message)))
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
