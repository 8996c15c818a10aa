//! `gyokaku extract FILE`: the text of one file, as the index will see it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::extract::{self, Limits, SourceHints};
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

pub fn run(args: ExtractArgs) -> anyhow::Result<ExitCode> {
    let hints = SourceHints { charset: args.charset.clone() };
    let extracted = extract::extract_file(&args.file, &Limits::default(), &hints)
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
            let json =
                ExtractJson { source: args.file.display().to_string(), extracted: &extracted };
            output::data(&serde_json::to_string_pretty(&json)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}
