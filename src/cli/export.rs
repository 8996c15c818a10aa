//! `gyokaku export`: the passages and an index definition for OpenSearch, Quickwit or NDJSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::cli::Progress;
use crate::export::{self, ExportFormat};
use crate::output;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which engine to export for.
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The index folder to export.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    /// The folder to write the definition and the NDJSON files into.
    #[arg(long)]
    pub output: PathBuf,
    /// The name of the index in the engine.
    #[arg(long, default_value = "gyokaku")]
    pub index_name: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// `index.json` (kuromoji, bigram and pre-tokenised fields) + `bulk-NNNN.ndjson`.
    Opensearch,
    /// `index-config.yaml` for Quickwit 0.9 + `docs-NNNN.ndjson`.
    Quickwit,
    /// `passages.ndjson`: one passage per line.
    Ndjson,
}

pub fn run(args: ExportArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        FormatArg::Opensearch => ExportFormat::OpenSearch,
        FormatArg::Quickwit => ExportFormat::Quickwit,
        FormatArg::Ndjson => ExportFormat::Ndjson,
    };
    let summary = export::export(&args.index, format, &args.output, &args.index_name)
        .with_context(|| format!("exporting `{}`", args.index.display()))?;
    if !progress.quiet {
        output::message(&format!(
            "exported {} passages of {} documents into `{}`:",
            summary.passages,
            summary.documents,
            args.output.display()
        ));
        for file in &summary.files {
            output::message(&format!("  {}", file.display()));
        }
    }
    Ok(ExitCode::SUCCESS)
}
