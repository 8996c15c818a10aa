//! `gyokaku extract FILE`: the text of one file, as the index will see it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::extract::{self, Limits, OcrMode, OcrOptions, SourceHints};
use crate::model::Extracted;
use crate::output;

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// A PDF, web page or text file (the format is decided from its bytes).
    pub file: PathBuf,
    /// `text`: pages separated by form feeds, like pdftotext. `json`: pages, title,
    /// encoding, warnings and removed headers/footers.
    #[arg(long, value_enum, default_value_t = ExtractFormat::Text)]
    pub format: ExtractFormat,
    /// The charset of a web page or text file, when known from elsewhere (HTTP headers).
    #[arg(long)]
    pub charset: Option<String>,
    /// OCR (Tesseract) for scanned pages: `auto` reads pages without a usable text layer,
    /// `always` every page, `never` none. Without Tesseract installed, `auto` only warns.
    #[arg(long, value_enum, default_value_t = OcrMode::Auto)]
    pub ocr: OcrMode,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExtractFormat {
    Text,
    Json,
}

#[derive(Serialize)]
struct ExtractJson<'a> {
    source: String,
    #[serde(flatten)]
    extracted: &'a Extracted,
}

/// The JSON of `extract`, with each OCR'd page marked by its own `ocr` object.
fn extract_json(source: String, extracted: &Extracted) -> anyhow::Result<serde_json::Value> {
    let mut json = serde_json::to_value(ExtractJson { source, extracted })?;
    if let Some(pages) = json.get_mut("pages").and_then(serde_json::Value::as_array_mut) {
        for page in pages {
            let number = page.get("number").and_then(serde_json::Value::as_u64);
            let mark = number.and_then(|n| extracted.ocr_of(u32::try_from(n).ok()?));
            if let (Some(mark), Some(object)) = (mark, page.as_object_mut()) {
                object.insert(
                    "ocr".to_owned(),
                    serde_json::json!({
                        "engine": mark.engine,
                        "language": mark.language,
                        "mean_confidence": mark.mean_confidence,
                    }),
                );
            }
        }
    }
    Ok(json)
}

pub fn run(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let hints = SourceHints { charset: args.charset.clone() };
    let limits =
        Limits { ocr: OcrOptions { mode: args.ocr, ..OcrOptions::default() }, ..Limits::default() };
    let extracted = extract::extract_file(&args.file, &limits, &hints)
        .with_context(|| format!("extracting `{}`", args.file.display()))?;
    for warning in &extracted.warnings {
        output::warning(&format!("`{}`: {warning}", args.file.display()));
    }
    match args.format {
        ExtractFormat::Text => {
            let pages: Vec<&str> = extracted.pages.iter().map(|p| p.text.as_str()).collect();
            output::data(&pages.join("\n\u{c}"));
        }
        ExtractFormat::Json => {
            let json = extract_json(args.file.display().to_string(), &extracted)?;
            output::data(&serde_json::to_string_pretty(&json)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
