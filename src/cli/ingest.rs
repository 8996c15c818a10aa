//! `gyokaku ingest`: add files and folders to the index.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::Progress;
use crate::extract::{Limits, OcrMode, OcrOptions};
use crate::ingest::{self, DocStatus, DocumentOutcome, IngestOptions, IngestReport};
use crate::output;

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files and folders to ingest (folders are walked recursively) [default: corpus].
    pub paths: Vec<PathBuf>,
    /// Where the index lives.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    /// A manifest.csv with metadata per document (default: manifest.csv in each folder).
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Documents processed in parallel (default: number of CPUs).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// Remove documents from the index that are no longer among the inputs.
    #[arg(long)]
    pub prune: bool,
    /// Extra user-dictionary entries, a CSV of `surface,part_of_speech,reading` lines (e.g.
    /// `市民協働推進班,カスタム名詞,シミンキョウドウスイシンハン`). Kept in the index and used for
    /// its searches; changing it re-indexes every document.
    #[arg(long)]
    pub user_dict: Option<PathBuf>,
    /// Refuse files larger than this many megabytes.
    #[arg(long, default_value_t = 200)]
    pub max_file_mb: u64,
    /// OCR (Tesseract) for scanned pages: `auto` reads pages without a usable text layer,
    /// `always` every page, `never` none. Without Tesseract installed, `auto` only warns.
    #[arg(long, value_enum, default_value_t = OcrMode::Auto)]
    pub ocr: OcrMode,
}

pub fn run(args: IngestArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    let inputs = if args.paths.is_empty() { vec![PathBuf::from("corpus")] } else { args.paths };
    let jobs = args.jobs.unwrap_or_else(default_jobs);
    let options = IngestOptions {
        manifest: args.manifest,
        jobs,
        limits: Limits {
            max_file_bytes: args.max_file_mb * 1_000_000,
            ocr: OcrOptions { mode: args.ocr, jobs },
            ..Limits::default()
        },
        prune: args.prune,
        user_dict: args.user_dict,
        ..IngestOptions::new(inputs, args.index)
    };
    let report = ingest_with_progress(&options, progress)?;
    Ok(exit_code(&report))
}

pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
}

/// Runs ingest with a progress bar (when allowed) and prints failures and a summary.
pub fn ingest_with_progress(
    options: &IngestOptions,
    progress: Progress,
) -> anyhow::Result<IngestReport> {
    let bar = Mutex::new(None::<ProgressBar>);
    let on_start = |total: usize| {
        if progress.bars {
            let style = ProgressStyle::with_template("{bar:30} {pos}/{len} documents {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            let new_bar = ProgressBar::new(total as u64).with_style(style);
            if let Ok(mut slot) = bar.lock() {
                *slot = Some(new_bar);
            }
        }
    };
    let on_document = |outcome: &DocumentOutcome| {
        if let Ok(slot) = bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.set_message(outcome.path.clone());
            bar.inc(1);
        }
        if outcome.status == DocStatus::Failed && !progress.quiet {
            let reason = outcome.error.as_deref().unwrap_or("unknown error");
            let line = format!("error: `{}`: {reason}", outcome.path);
            match bar.lock().ok().as_ref().and_then(|slot| slot.as_ref()) {
                Some(bar) => bar.suspend(|| output::message(&line)),
                None => output::message(&line),
            }
        }
    };
    let report = ingest::ingest(options, &on_start, &on_document)
        .with_context(|| format!("ingesting into `{}`", options.index_dir.display()))?;
    if let Ok(mut slot) = bar.lock()
        && let Some(bar) = slot.take()
    {
        bar.finish_and_clear();
    }
    if !progress.quiet {
        output::message(&summary_line(&report));
    }
    Ok(report)
}

fn summary_line(report: &IngestReport) -> String {
    let indexed: Vec<_> =
        report.documents.iter().filter(|d| d.status == DocStatus::Indexed).collect();
    let passages: u32 = indexed.iter().map(|d| d.passages).sum();
    let chars: usize = indexed.iter().map(|d| d.chars).sum();
    let mut line = format!(
        "{} new or changed, {} unchanged, {} failed, {} skipped documents; {passages} passages, {chars} characters indexed in {:.1}s",
        report.count(DocStatus::Indexed),
        report.count(DocStatus::Unchanged),
        report.count(DocStatus::Failed),
        report.count(DocStatus::Skipped),
        report.seconds
    );
    let kept: u32 = report
        .documents
        .iter()
        .filter(|d| d.status == DocStatus::Unchanged)
        .map(|d| d.passages)
        .sum();
    if kept > 0 {
        line.push_str(&format!("; {kept} passages of unchanged documents kept"));
    }
    if !report.pruned.is_empty() {
        line.push_str(&format!("; {} pruned", report.pruned.len()));
    }
    line
}

/// 1 when any document failed, as CONTRACT.md says.
pub fn exit_code(report: &IngestReport) -> ExitCode {
    if report.count(DocStatus::Failed) > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}
