//! Web page extraction: charset decoding and CMS-aware main-text extraction (issue 4).

use thiserror::Error;

use crate::extract::SourceHints;
use crate::model::Extracted;

#[derive(Debug, Error)]
pub enum HtmlError {
    #[error("unsupported format: HTML extraction is not available yet")]
    NotYetSupported,
}

/// Extracts the main text of a web page as one page.
pub fn extract_html(_bytes: &[u8], _hints: &SourceHints) -> Result<Extracted, HtmlError> {
    Err(HtmlError::NotYetSupported)
}
