//! Prints what `extract::html` makes of web pages, until `gyokaku extract` exists.
//!
//! `cargo run --example htmltext -- [--json] [--charset LABEL] PAGE.html...`
//! prints the main text of each page (or the whole extraction as JSON, one line per page).

use std::io::Write;

use gyokaku::extract::SourceHints;
use gyokaku::extract::html::extract_html;

fn main() -> anyhow::Result<()> {
    let mut json = false;
    let mut hints = SourceHints::default();
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--charset" => hints.charset = args.next(),
            _ => paths.push(arg),
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in paths {
        let bytes = fs_err::read(&path)?;
        match extract_html(&bytes, &hints) {
            Ok(extracted) if json => {
                let mut value = serde_json::to_value(&extracted)?;
                value["source"] = serde_json::Value::String(path.clone());
                writeln!(out, "{value}")?;
            }
            Ok(extracted) => {
                for page in &extracted.pages {
                    writeln!(out, "{}", page.text)?;
                }
            }
            Err(err) => writeln!(out, "error: `{path}`: {err}")?,
        }
    }
    Ok(())
}
