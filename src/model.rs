//! The shared vocabulary of the pipeline: what flows from one stage to the next.
//!
//! Stages pass these plain values to each other; none of them knows about lopdf, scraper,
//! lindera or tantivy. `extract` produces an [`Extracted`], `segment` turns it into
//! [`Passage`]s, `index` stores passages together with the document's [`DocMeta`].

use std::collections::BTreeMap;

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

/// Metadata of a document: from `manifest.csv` when a row names it, else inferred.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocMeta {
    pub municipality: Option<String>,
    pub prefecture: Option<String>,
    pub code: Option<String>,
    /// 都道府県, 政令市, 中核市, 市, 特別区, 町, 村 or 行政区, from the code table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_type: Option<String>,
    pub title: Option<String>,
    pub year: Option<i32>,
    pub url: Option<String>,
    /// Further manifest columns, kept as document variables for filtering.
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

/// A unit of retrieval: a few sentences under one heading on one page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// Position of the passage in its document, from 0.
    pub ordinal: u32,
    pub page: u32,
    /// The headings above this passage, outermost first.
    pub heading_path: Vec<String>,
    pub text: String,
}

impl Passage {
    /// The heading path as one line, `第1 背景 > 1 経過`.
    pub fn heading(&self) -> String {
        self.heading_path.join(" > ")
    }

    /// A heading that no text followed, kept as a passage of its own words (see `segment`).
    pub fn is_heading_only(&self) -> bool {
        self.heading_path.last().is_some_and(|heading| *heading == self.text)
    }
}
