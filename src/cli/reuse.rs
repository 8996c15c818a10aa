//! `gyokaku reuse`: clusters of near-duplicate passages across plans, optionally marked as
//! copied from national guidelines, as a table, CSV (BOM) or JSON with provenance.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::index::load_documents;
use crate::output;
use crate::reuse::{
    DEFAULT_MIN_CHARS, DEFAULT_THRESHOLD, Provenance, ReuseOptions, ReuseReport, find_reuse,
    load_references, report_csv,
};

/// Members shown per cluster in the table; the CSV and JSON list them all.
const TABLE_MEMBERS: usize = 8;

#[derive(Debug, Args)]
pub struct ReuseArgs {
    /// The index folder.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
    /// A folder of national guideline texts (any format `extract` reads); clusters holding
    /// one of their passages are marked `guideline`.
    #[arg(long, value_name = "DIR")]
    pub reference: Option<PathBuf>,
    /// Jaccard similarity of character 5-gram sets a pair of passages must reach (0–1].
    #[arg(long, value_name = "J", default_value_t = DEFAULT_THRESHOLD)]
    pub threshold: f64,
    /// Passages shorter than this many characters (after normalisation) are skipped.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_CHARS)]
    pub min_chars: usize,
    /// `table` for people, `csv` (with a BOM, one row per member) or `json` for scripts.
    #[arg(long, value_enum, default_value_t = ReuseFormat::Table)]
    pub format: ReuseFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReuseFormat {
    Table,
    Csv,
    Json,
}

pub fn run(args: ReuseArgs) -> anyhow::Result<ExitCode> {
    let documents = load_documents(&args.index)
        .with_context(|| format!("reading the index at `{}`", args.index.display()))?;
    let (references, warnings) = match &args.reference {
        Some(dir) => load_references(dir)
            .with_context(|| format!("reading the reference folder `{}`", dir.display()))?,
        None => (Vec::new(), Vec::new()),
    };
    for warning in &warnings {
        output::warning(warning);
    }
    let provenance = Provenance {
        gyokaku_version: env!("CARGO_PKG_VERSION").to_owned(),
        index: args.index.display().to_string(),
        reference: args.reference.as_ref().map(|dir| dir.display().to_string()),
    };
    let options = ReuseOptions { threshold: args.threshold, min_chars: args.min_chars };
    let mut report = find_reuse(&documents, &references, options, provenance)?;
    report.warnings = warnings;
    match args.format {
        ReuseFormat::Json => output::data(&serde_json::to_string_pretty(&report)?),
        ReuseFormat::Csv => output::data_raw(&report_csv(&report)?),
        ReuseFormat::Table => output::data(render(&report).trim_end()),
    }
    Ok(ExitCode::SUCCESS)
}

fn render(report: &ReuseReport) -> String {
    let mut text = format!(
        "{} clusters of copied passages ({} passages compared, {} candidate pairs, {} pairs \
         with Jaccard ≥ {})\n",
        report.clusters.len(),
        report.passages,
        report.candidates,
        report.pairs,
        report.threshold
    );
    for cluster in &report.clusters {
        let mark = if cluster.guideline { "  guideline" } else { "" };
        text.push_str(&format!(
            "\ncluster {}: {} plans, {} passages, Jaccard {:.2}–{:.2}{mark}\n",
            cluster.id,
            cluster.documents,
            cluster.members.len(),
            cluster.min_jaccard,
            cluster.max_jaccard
        ));
        let mut rows = vec![
            ["municipality", "year", "path", "page", "#", "excerpt"].map(str::to_owned).to_vec(),
        ];
        for m in cluster.members.iter().take(TABLE_MEMBERS) {
            let who = if m.reference {
                "(guideline)".to_owned()
            } else {
                m.municipality.clone().unwrap_or_else(|| "?".to_owned())
            };
            rows.push(vec![
                who,
                m.year.map(|y| y.to_string()).unwrap_or_default(),
                output::truncate_to_width(&m.path, 32),
                m.page.to_string(),
                m.ordinal.to_string(),
                output::truncate_to_width(&m.excerpt, 48),
            ]);
        }
        text.push_str(&output::render_table(&rows));
        if cluster.members.len() > TABLE_MEMBERS {
            text.push_str(&format!(
                "… and {} more (see --format csv)\n",
                cluster.members.len() - TABLE_MEMBERS
            ));
        }
    }
    text
}
