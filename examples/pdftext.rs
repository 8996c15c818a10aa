//! Prints the text gyokaku extracts from PDF files, pages separated by form feeds
//! (like pdftotext), or the whole extraction as JSON with `--json`.
//!
//! Usage: `cargo run --release --example pdftext -- [--json] FILE.pdf...`
//! (`RUST_LOG=gyokaku=trace` prints the text fragments that layout sees)

use std::io::Write;

use gyokaku::extract::{Limits, pdf::extract_pdf};

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut json = false;
    let mut stdout = std::io::stdout().lock();
    for arg in std::env::args().skip(1) {
        if arg == "--json" {
            json = true;
            continue;
        }
        let bytes = fs_err::read(&arg)?;
        match extract_pdf(&bytes, &Limits::default()) {
            Ok(extracted) if json => {
                let line = serde_json::to_string(&extracted).map_err(std::io::Error::other)?;
                writeln!(stdout, "{line}")?;
            }
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
