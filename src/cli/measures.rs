//! `gyokaku measures`: each plan's measures with numeric targets (value, unit, direction,
//! baseline, target year, department, status, passage and themes) as a table, CSV (BOM),
//! JSON or XLSX with provenance.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::cli::Progress;
use crate::cli::reuse::{DiscountArgs, apply_discount};
use crate::cli::search::parse_years;
use crate::cli::themes::{SourceArgs, load_sources};
use crate::index::IndexedDocument;
use crate::measures::export::{
    MeasuresReport, Provenance, format_value, measures_csv, measures_json, measures_xlsx,
};
use crate::measures::find_measures;
use crate::output;

#[derive(Debug, Args)]
pub struct MeasuresArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Only this municipality (a unique part of its name is enough; repeat for several).
    #[arg(long = "municipality", visible_alias = "city")]
    pub municipalities: Vec<String>,
    /// Only this prefecture (repeat for several).
    #[arg(long = "prefecture")]
    pub prefectures: Vec<String>,
    /// Plan years, `2015..2020`, `2019`, `2015..` or `..2010`.
    #[arg(long, value_parser = parse_years)]
    pub year: Option<(Option<i32>, Option<i32>)>,
    /// Only measures of passages mapped to this theme id (repeat for several).
    #[arg(long = "theme")]
    pub themes: Vec<String>,
    /// `table` for people, `csv` (with a BOM), `json` or `xlsx` (needs --output).
    #[arg(long, value_enum, default_value_t = MeasuresFormat::Table)]
    pub format: MeasuresFormat,
    /// Write to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub discount: DiscountArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasuresFormat {
    Table,
    Csv,
    Json,
    Xlsx,
}

pub fn run(args: MeasuresArgs, progress: Progress) -> anyhow::Result<ExitCode> {
    if args.format == MeasuresFormat::Xlsx && args.output.is_none() {
        anyhow::bail!("`--format xlsx` needs `--output FILE`");
    }
    let (taxonomy, mut documents) = load_sources(&args.source)?;
    // Before the filters: a passage is a copy by the clusters of the whole index.
    apply_discount(&args.discount, &args.source.index, &mut documents, progress.quiet)?;
    documents.retain(|doc| keep(&args, doc));
    if args.source.taxonomy.is_some() {
        // The index stored the passages' themes of the taxonomy it was built with.
        for doc in &mut documents {
            doc.passage_themes = doc
                .passages
                .iter()
                .map(|p| crate::themes::passage_theme_ids(&taxonomy, &p.heading(), &p.text))
                .collect();
        }
    }
    let mut measures = find_measures(&documents);
    if !args.themes.is_empty() {
        measures.retain(|m| m.themes.iter().any(|t| args.themes.contains(t)));
    }
    let about = crate::cli::themes::about(&args.source.index);
    let provenance = Provenance::new(
        &about,
        format!("{}@{}", taxonomy.name, taxonomy.version),
        index_commit(&args.source.index),
    );
    let report = MeasuresReport { provenance, documents: documents.len(), measures };
    let bytes = match args.format {
        MeasuresFormat::Json => measures_json(&report)?,
        MeasuresFormat::Csv => measures_csv(&report)?,
        MeasuresFormat::Xlsx => measures_xlsx(&report)?,
        MeasuresFormat::Table => {
            let mut text = render(&report);
            text.push('\n');
            text.into_bytes()
        }
    };
    match &args.output {
        Some(path) => {
            fs_err::write(path, bytes)?;
            output::message(&format!(
                "wrote {} measures to `{}`",
                report.measures.len(),
                path.display()
            ));
        }
        None => output::data_raw(&bytes),
    }
    Ok(ExitCode::SUCCESS)
}

fn keep(args: &MeasuresArgs, doc: &IndexedDocument) -> bool {
    let meta = &doc.meta;
    let named = |wanted: &[String], value: &Option<String>| {
        wanted.is_empty()
            || value.as_ref().is_some_and(|v| wanted.iter().any(|w| v.contains(w.as_str())))
    };
    let in_years = match (args.year, meta.year) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some((from, to)), Some(year)) => {
            from.is_none_or(|from| year >= from) && to.is_none_or(|to| year <= to)
        }
    };
    named(&args.municipalities, &meta.municipality)
        && named(&args.prefectures, &meta.prefecture)
        && in_years
}

/// blake3 of the tantivy `meta.json`, the same stamp the web app uses for a commit.
pub(crate) fn index_commit(index: &Path) -> Option<String> {
    crate::index::commit_stamp(index).ok()
}

/// One line per target: where, the measure, value and unit, direction, year, department,
/// status.
pub fn render(report: &MeasuresReport) -> String {
    let mut rows = vec![
        ["municipality", "page", "measure", "target", "direction", "by", "department", "status"]
            .map(str::to_owned)
            .to_vec(),
    ];
    for m in &report.measures {
        rows.push(vec![
            m.municipality.clone().unwrap_or_else(|| "?".to_owned()),
            m.page.to_string(),
            output::truncate_to_width(&m.measure, 30),
            format!("{}{}", format_value(m.value), m.unit),
            m.direction.map(|d| d.label_ja().to_owned()).unwrap_or_default(),
            m.target_year.map(|y| y.to_string()).unwrap_or_default(),
            m.department.clone().unwrap_or_default(),
            m.status.clone().unwrap_or_default(),
        ]);
    }
    let mut text = output::render_table(&rows);
    text.push_str(&format!(
        "{} numeric targets in {} plans",
        report.measures.len(),
        report.documents
    ));
    text
}
