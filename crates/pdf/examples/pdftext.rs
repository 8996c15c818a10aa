//! Prints the text gyokaku-pdf extracts from PDF files, pages separated by form feeds (like
//! pdftotext): the root package's `pdftext` example without the rest of gyokaku, so the
//! extractor (OCR included) can be measured after building this crate alone.
//!
//! Usage: `cargo run --release -p gyokaku-pdf --example pdftext -- FILE.pdf...`

use std::io::Write;

use gyokaku_pdf::{Limits, extract_pdf};

fn main() -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    for arg in std::env::args().skip(1) {
        let bytes = fs_err::read(&arg)?;
        match extract_pdf(&bytes, &Limits::default()) {
            Ok(extracted) => {
                for page in &extracted.pages {
                    write!(stdout, "{}\n\x0c", page.text)?;
                }
            }
            Err(error) => writeln!(std::io::stderr(), "{arg}: {error}")?,
        }
    }
    Ok(())
}
