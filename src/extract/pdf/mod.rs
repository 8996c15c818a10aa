//! PDF text extraction on lopdf's object model (issue 3 builds the real interpreter here).

use thiserror::Error;

use crate::extract::Limits;
use crate::model::Extracted;

#[derive(Debug, Error)]
pub enum PdfError {
    #[error("unsupported format: PDF extraction is not available yet")]
    NotYetSupported,
}

/// Extracts the text of every page of a PDF in reading order.
pub fn extract_pdf(_bytes: &[u8], _limits: &Limits) -> Result<Extracted, PdfError> {
    Err(PdfError::NotYetSupported)
}
