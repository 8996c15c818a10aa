//! `gyokaku batch CONFIG.toml`: a partner's comparison batch, with a run folder and report.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::batch::{self, BatchConfig, BatchRun};
use crate::cli::Progress;
use crate::ingest::{DocStatus, DocumentOutcome, Shard};
use crate::output;

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The batch config (TOML; see CONTRACT.md). Paths in it are relative to its folder.
    pub config: PathBuf,
    /// Process only shard K of N (1 <= K <= N), chosen by content hash, into its own index
    /// under `<index>/shards/K-of-N/`; join the shards with `gyokaku merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

pub fn run(args: BatchArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    let config = BatchConfig::load(&args.config)?;
    if !progress.quiet {
        for warning in &config.warnings {
            output::warning(warning);
        }
    }
    let bar = StageBar::new(progress);
    let finished = batch::run(&config, args.shard, &|total| bar.start(total), &|outcome| {
        bar.record(outcome);
    })
    .with_context(|| format!("running batch `{}`", args.config.display()))?;
    bar.finish();
    if !progress.quiet {
        print_summary(&finished);
    }
    let failed = finished.report.totals.failed;
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The overall progress bar with counts per outcome.
struct StageBar {
    progress: Progress,
    bar: Mutex<Option<ProgressBar>>,
    counts: Mutex<[usize; 4]>,
}

impl StageBar {
    fn new(progress: Progress) -> Self {
        StageBar { progress, bar: Mutex::new(None), counts: Mutex::new([0; 4]) }
    }

    fn start(&self, total: usize) {
        if !self.progress.bars {
            return;
        }
        let style = ProgressStyle::with_template("{bar:30} {pos}/{len} documents · {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(ProgressBar::new(total as u64).with_style(style));
        }
    }

    fn record(&self, outcome: &DocumentOutcome) {
        let message = self.counts.lock().ok().map(|mut counts| {
            counts[outcome.status as usize] += 1;
            format!(
                "{} indexed, {} unchanged, {} failed, {} skipped",
                counts[0], counts[1], counts[2], counts[3]
            )
        });
        if let Ok(slot) = self.bar.lock()
            && let Some(bar) = slot.as_ref()
        {
            bar.set_message(message.unwrap_or_default());
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock()
            && let Some(bar) = slot.take()
        {
            bar.finish_and_clear();
        }
    }
}

/// The closing summary on stderr: totals, the run folder, and every failed file with its reason.
fn print_summary(run: &BatchRun) {
    let totals = &run.report.totals;
    output::message(&format!(
        "batch `{}`: {} indexed, {} unchanged, {} failed, {} skipped documents; {} passages in the index; {:.1}s",
        run.report.run.name,
        totals.indexed,
        totals.unchanged,
        totals.failed,
        totals.skipped,
        totals.passages,
        run.report.run.seconds
    ));
    let problems: Vec<&DocumentOutcome> = run
        .report
        .documents
        .iter()
        .filter(|d| matches!(d.status, DocStatus::Failed | DocStatus::Skipped))
        .collect();
    for document in problems {
        let label = if document.status == DocStatus::Failed { "failed" } else { "skipped" };
        let reason = document.error.as_deref().unwrap_or("no reason recorded");
        output::message(&format!("  {label}: `{}`: {reason}", document.path));
    }
    for warning in &run.report.warnings {
        output::warning(warning);
    }
    output::message(&format!("report: `{}`", run.folder.join("report.json").display()));
}
