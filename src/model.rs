//! The shared vocabulary of the pipeline: what flows from one stage to the next.
//!
//! Stages pass these plain values to each other; none of them knows about lopdf, scraper,
//! lindera or tantivy. `extract` produces an [`Extracted`], `segment` turns it into
//! [`Passage`]s, `index` stores passages together with the document's [`DocMeta`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use gyokaku_extract_model::{Extracted, Format, HeadingMark, Link, OcrPage, Page, Removed};

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
