//! `gyokaku run`: the main job on the shipped corpus, end to end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::cli::Progress;
use crate::cli::ingest::{default_jobs, exit_code, ingest_with_progress};
use crate::compare::distinctive_terms_by_municipality;
use crate::index::load_documents;
use crate::ingest::{DocStatus, IngestOptions, IngestReport};
use crate::output;
use crate::themes::DocumentInput;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The folder of plans to ingest (with its manifest.csv).
    #[arg(long, default_value = "corpus")]
    pub corpus: PathBuf,
    /// Where the index, extraction cache and exports are written.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    /// Documents processed in parallel (default: number of CPUs).
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
}

pub fn run(args: RunArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    let options = IngestOptions {
        jobs: args.jobs.unwrap_or_else(default_jobs),
        prune: true,
        ..IngestOptions::new(vec![args.corpus.clone()], args.index.clone())
    };
    let report = ingest_with_progress(&options, progress)?;
    if !progress.quiet {
        print_municipalities(&report);
        print_distinctive_terms(&args.index)?;
    }
    // The municipality × theme matrix: printed, and written to index/exports/.
    crate::cli::themes::write_run_exports(&args.index, progress.quiet)?;
    if !progress.quiet && cfg!(feature = "web") {
        output::message(&format!(
            "browse it: gyokaku serve --index {} --open",
            args.index.display()
        ));
    }
    Ok(exit_code(&report))
}

/// Terms shown per municipality in the summary.
const DISTINCTIVE_TERMS: usize = 8;

fn print_distinctive_terms(index_dir: &Path) -> anyhow::Result<()> {
    let documents = load_documents(index_dir)
        .with_context(|| format!("reading the index `{}`", index_dir.display()))?;
    let inputs: Vec<DocumentInput<'_>> = documents
        .iter()
        .map(|d| DocumentInput { path: &d.path, meta: &d.meta, passages: &d.passages })
        .collect();
    let by_city = distinctive_terms_by_municipality(&inputs, DISTINCTIVE_TERMS)?;
    let mut rows = vec![vec![
        "municipality".to_owned(),
        "distinctive terms (log-likelihood against the other plans)".to_owned(),
    ]];
    rows.extend(by_city.into_iter().map(|(city, terms)| {
        let terms: Vec<&str> = terms.iter().map(|t| t.term.as_str()).collect();
        vec![city, terms.join("、")]
    }));
    output::data(output::render_table(&rows).trim_end());
    Ok(())
}

fn print_municipalities(report: &IngestReport) {
    let mut by_city: BTreeMap<String, (usize, u32)> = BTreeMap::new();
    for doc in report
        .documents
        .iter()
        .filter(|d| matches!(d.status, DocStatus::Indexed | DocStatus::Unchanged))
    {
        let city = doc.municipality.clone().unwrap_or_else(|| "(unknown)".to_owned());
        let entry = by_city.entry(city).or_default();
        entry.0 += 1;
        entry.1 += doc.passages;
    }
    let mut rows =
        vec![vec!["municipality".to_owned(), "documents".to_owned(), "passages".to_owned()]];
    rows.extend(
        by_city
            .into_iter()
            .map(|(city, (docs, passages))| vec![city, docs.to_string(), passages.to_string()]),
    );
    output::data(output::render_table(&rows).trim_end());
}
