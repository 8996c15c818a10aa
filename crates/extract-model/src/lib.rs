//! The values the extractors produce, shared by `gyokaku-pdf`, `gyokaku-html` and the
//! `gyokaku` crate that glues them.
//!
//! Why a crate of its own: both extractor crates return an [`Extracted`], and neither should
//! depend on the other (a PDF fix must not rebuild the HTML extractor, and `cargo test -p
//! gyokaku-html` should not compile lopdf). So the vocabulary lives below both, with only
//! serde as a dependency. The API is kept narrow on purpose: plain data types, plus the one
//! panic net ([`catch_panic`]) every extractor boundary uses, because outsiders (the fuzz
//! targets, the pipeline) build on these and they should stay stable.

use serde::{Deserialize, Serialize};

/// The format of a source file, decided from its bytes, not its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Html,
    Text,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Text => "text",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A heading the extractor recognised from structure (an HTML `<h2>`, a PDF line in a
/// larger font). `start` is the byte offset of the heading line in [`Page::text`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadingMark {
    pub start: usize,
    /// 1 is the document title level, 2 a chapter, and so on.
    pub level: u8,
}

/// One page of extracted text in reading order. HTML and plain text have one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    pub number: u32,
    pub text: String,
    /// Headings known from the source's structure. The segmenter also finds headings
    /// by their numbering patterns (第1, (1), ①, 【…】), so this may be empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headings: Vec<HeadingMark>,
}

/// Text that an extractor removed from the reading text on purpose (running headers,
/// footers, page numbers, dot leaders, CMS boilerplate), kept so nothing is lost silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Removed {
    pub page: u32,
    /// Why it was removed, e.g. `header`, `footer`, `page-number`, `boilerplate`.
    pub kind: String,
    pub text: String,
}

/// A link found in the main text of a web page (attachments such as plan PDFs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub text: String,
    pub url: String,
}

/// What an extractor returns for one file: text per page plus what it learned on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extracted {
    pub format: Format,
    pub title: Option<String>,
    /// The character encoding of an HTML or text file, and how it was decided.
    pub encoding: Option<String>,
    pub pages: Vec<Page>,
    pub warnings: Vec<String>,
    #[serde(default)]
    pub removed: Vec<Removed>,
    #[serde(default)]
    pub links: Vec<Link>,
    /// Last-updated date of a web page, ISO 8601 (`2021-04-01`).
    #[serde(default)]
    pub updated: Option<String>,
    /// The department named in a web page's contact block.
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// The pages read by OCR, in page order (empty for a text layer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ocr: Vec<OcrPage>,
}

/// How a page's text was read by OCR: the engine, the language model (`jpn`, or `jpn_vert`
/// for vertical pages) and the mean word confidence in percent, as the engine reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrPage {
    pub page: u32,
    /// `tesseract 5.3.0`.
    pub engine: String,
    pub language: String,
    pub mean_confidence: f32,
}

// The confidence is a finite number read from the engine's output, never NaN.
impl Eq for OcrPage {}

impl Extracted {
    /// An extraction result with no optional extras, for extractors to fill in.
    pub fn new(format: Format, pages: Vec<Page>) -> Self {
        Extracted {
            format,
            title: None,
            encoding: None,
            pages,
            warnings: Vec::new(),
            removed: Vec::new(),
            links: Vec::new(),
            updated: None,
            department: None,
            phone: None,
            ocr: Vec::new(),
        }
    }

    /// The OCR record of page `number`, when the page was read by OCR.
    pub fn ocr_of(&self, number: u32) -> Option<&OcrPage> {
        self.ocr.iter().find(|mark| mark.page == number)
    }

    /// Number of characters of text over all pages.
    pub fn char_count(&self) -> usize {
        self.pages.iter().map(|page| page.text.chars().count()).sum()
    }
}

/// The one panic net of the extractors: runs `work` and turns a panic into the panic's
/// message, so one hostile file becomes an error for that file and never stops a batch.
/// Used at every extraction boundary (`gyokaku-pdf`, `gyokaku::extract`, `ingest`).
pub fn catch_panic<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|message| (*message).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        assert_eq!(catch_panic(|| 7), Ok(7));
        assert_eq!(catch_panic(|| -> u8 { panic!("boom") }), Err("boom".to_owned()));
        let owned = catch_panic(|| -> u8 { panic!("page {}", 3) });
        assert_eq!(owned, Err("page 3".to_owned()));
    }
}
